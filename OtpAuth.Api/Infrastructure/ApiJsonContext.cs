using System.Text.Json.Serialization;
using OtpAuth.Api.Login;
using OtpAuth.Api.Recovery;
using OtpAuth.Api.Registration;
using OtpAuth.Api.Sessions;
using OtpAuth.Api.Tokens;
using OtpAuth.Api.Verification;

namespace OtpAuth.Api.Infrastructure;

/// <summary>
/// The JSON of every body the Api reads or writes, generated at build: the Native AOT build has no reflection-based
/// serializer (docs/native-aot.md). The HTTP bodies take their snake_case from the endpoints' options, in whose resolver
/// chain this stands first; <see cref="ResetMailJob"/> is written as it always was (the property names as they are).
/// </summary>
[JsonSerializable(typeof(RegisterRequest))]
[JsonSerializable(typeof(RegisterResponse))]
[JsonSerializable(typeof(ResendOtpRequest))]
[JsonSerializable(typeof(ResendOtpResponse))]
[JsonSerializable(typeof(VerifyOtpRequest))]
[JsonSerializable(typeof(VerifyOtpResponse))]
[JsonSerializable(typeof(LoginRequest))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(MeResponse))]
[JsonSerializable(typeof(RefreshRequest))]
[JsonSerializable(typeof(List<SessionResponse>))]
[JsonSerializable(typeof(ForgotPasswordRequest))]
[JsonSerializable(typeof(ResetPasswordRequest))]
[JsonSerializable(typeof(ChangePasswordRequest))]
[JsonSerializable(typeof(MessageResponse))]
[JsonSerializable(typeof(ForgotPasswordResponse))]
[JsonSerializable(typeof(JwksResponse))]
[JsonSerializable(typeof(DiscoveryResponse))]
[JsonSerializable(typeof(ResetMailJob))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
