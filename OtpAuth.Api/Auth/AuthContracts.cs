namespace OtpAuth.Api.Auth;

// Request and response bodies of /auth. JSON names are snake_case (see JsonNamingPolicy.SnakeCaseLower in
// ApplicationServiceExtensions). Request fields are nullable so that a missing field is a validation error that names
// the field, not an unreadable body.

/// <summary>A request about one email address: rate limits count per address as well as per client.</summary>
public interface IAddressedRequest
{
    string? Email { get; }
}

public sealed record RegisterRequest(string? Email, string? Password) : IAddressedRequest;

public sealed record VerifyOtpRequest(string? Email, string? Code) : IAddressedRequest;

public sealed record ResendOtpRequest(string? Email) : IAddressedRequest;

public sealed record LoginRequest(string? Email, string? Password) : IAddressedRequest;

/// <param name="OtpExpiresIn">Seconds the emailed code stays valid.</param>
public sealed record RegisterResponse(string Message, string Email, int OtpExpiresIn);

public sealed record VerifyOtpResponse(string Message, bool Verified);

public sealed record ResendOtpResponse(string Message);

/// <param name="ExpiresIn">Seconds until the access token expires.</param>
public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn);

public sealed record MeResponse(Guid Id, string Email, DateTimeOffset CreatedAt, DateTimeOffset? VerifiedAt);
