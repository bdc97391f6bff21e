using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OtpAuth.Api.Auth;
using OtpAuth.Api.Infrastructure;
using OtpAuth.Api.Otp;
using OtpAuth.Api.Passwords;
using OtpAuth.Api.RateLimiting;
using OtpAuth.Api.Security;
using OtpAuth.Api.Sessions;
using OtpAuth.Api.Verification;

namespace OtpAuth.Api.Recovery;

public sealed record ForgotPasswordRequest(string? Email) : IAddressedRequest;

public sealed record ResetPasswordRequest(string? Email, string? Code, string? NewPassword) : IAddressedRequest;

public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

public sealed record MessageResponse(string Message);

/// <param name="CodeLength">Characters of the code a mail brings, if the address has an account (the same for every address).</param>
public sealed record ForgotPasswordResponse(string Message, int CodeLength);

/// <summary><c>POST /auth/password/forgot</c>, <c>/auth/password/reset</c> and <c>/auth/password/change</c>.</summary>
public static class RecoveryApi
{
    public const string ForgotAnswer = "If this address has an account, a reset code is on its way.";

    public static RouteGroupBuilder MapRecoveryApi(this RouteGroupBuilder group)
    {
        var password = group.MapGroup("/password");
        password.MapPost("/forgot", Forgot)
            .WithName("ForgotPassword")
            .WithSummary("Email a password reset code to the address, if it has a verified account")
            .WithDescription("Answers 202 with the same body, after the same work, for every address.")
            .WithRequestExample(new ForgotPasswordRequest("ada@example.com"))
            .ProducesJsonBodyProblems()
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithRateLimit(RateLimitedEndpoint.ForgotPassword);

        password.MapPost("/reset", Reset)
            .WithName("ResetPassword")
            .WithSummary("Choose a new password with the emailed reset code; every session ends")
            .WithRequestExample(new ResetPasswordRequest("ada@example.com", "123456", "a new and long passphrase"))
            .ProducesJsonBodyProblems()
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithRateLimit(RateLimitedEndpoint.ResetPassword);

        SessionsApi.Account(password.MapPost("/change", Change)
            .WithName("ChangePassword")
            .WithSummary("Replace the password (the current one required); every other session ends")
            .WithRequestExample(new ChangePasswordRequest("correct horse battery staple", "a new and long passphrase"))
            .ProducesJsonBodyProblems());
        return group;
    }

    public static async Task<Results<Accepted<ForgotPasswordResponse>, ValidationProblem, ProblemHttpResult>> Forgot(
        ForgotPasswordRequest request, PasswordRecoveryFlow recovery, HttpContext context)
    {
        var email = EmailAddress.Normalize(request.Email, out var emailError);
        if (email is null)
        {
            return AuthApi.Invalid(("email", emailError));
        }

        var result = await recovery.ForgotAsync(email, ClientAddress.NetworksOf(context));
        return result.Status == AuthStatus.Success
            ? TypedResults.Accepted((string?)null, new ForgotPasswordResponse(ForgotAnswer, result.CodeLength))
            : AuthApi.TooManyRequests(context.Response, result.RetryAfter, "Too many codes were requested for this address.");
    }

    public static async Task<Results<Ok<MessageResponse>, ValidationProblem, ProblemHttpResult>> Reset(
        ResetPasswordRequest request, PasswordRecoveryFlow recovery, PasswordPolicy policy, OtpCodeGenerator codes,
        HttpContext context, CancellationToken cancellationToken)
    {
        // Everything about the input is checked before the code is spent: a refused new password loses nothing.
        var email = EmailAddress.Normalize(request.Email, out var emailError);
        var code = codes.Canonical(request.Code);
        var codeError = code is null ? codes.FormatError() : null;
        var passwordError = policy.Validate(request.NewPassword, email);
        if (email is null || code is null || passwordError is not null)
        {
            return AuthApi.Invalid(("email", emailError), ("code", codeError), ("new_password", passwordError));
        }

        var result = await recovery.ResetAsync(email, code, PasswordRules.Normalize(request.NewPassword!), ClientAddress.NetworksOf(context), cancellationToken);
        return result.Status switch
        {
            AuthStatus.Success => TypedResults.Ok(new MessageResponse("Your password was changed. Sign in with the new one.")),
            AuthStatus.RateLimited => AuthApi.TooManyRequests(context.Response, result.RetryAfter, "Too many wrong codes for this address."),
            _ => AuthApi.Problem(StatusCodes.Status400BadRequest, VerificationApi.InvalidCode),
        };
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Change(
        ChangePasswordRequest request, PasswordRecoveryFlow recovery, PasswordPolicy policy, System.Security.Claims.ClaimsPrincipal principal,
        HttpContext context, CancellationToken cancellationToken)
    {
        var (user, session) = SessionsApi.Identify(principal);
        var currentError = string.IsNullOrEmpty(request.CurrentPassword) ? "current_password is required." : null;
        var passwordError = policy.Validate(request.NewPassword, principal.FindFirst("email")?.Value);
        if (currentError is not null || passwordError is not null)
        {
            return AuthApi.Invalid(("current_password", currentError), ("new_password", passwordError));
        }

        var result = await recovery.ChangeAsync(user, session, PasswordRules.Normalize(request.CurrentPassword!), PasswordRules.Normalize(request.NewPassword!),
            ClientAddress.For(context), cancellationToken);
        return result.Status switch
        {
            AuthStatus.Success => TypedResults.NoContent(),
            AuthStatus.RateLimited => AuthApi.TooManyRequests(context.Response, result.RetryAfter, "Too many wrong passwords for this account."),
            _ => AuthApi.Invalid(("current_password", "This is not the account's current password.")),
        };
    }
}
