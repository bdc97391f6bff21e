using Microsoft.AspNetCore.Http.HttpResults;
using OtpAuth.Api.Auth;
using OtpAuth.Api.Infrastructure;
using OtpAuth.Api.Otp;
using OtpAuth.Api.RateLimiting;
using OtpAuth.Api.Security;

namespace OtpAuth.Api.Verification;

public sealed record VerifyOtpRequest(string? Email, string? Code, string? RegistrationId) : IAddressedRequest;

public sealed record VerifyOtpResponse(string Message, bool Verified);

/// <summary><c>POST /auth/verify-otp</c>.</summary>
public static class VerificationApi
{
    public const string InvalidCode = "Invalid or expired code";

    public static RouteGroupBuilder MapVerificationApi(this RouteGroupBuilder group)
    {
        group.MapPost("/verify-otp", VerifyOtp)
            .WithName("VerifyOtp")
            .WithSummary("Create the account with the emailed code of a registration")
            .WithDescription("A code works once, and only for the registration it was mailed for (registration_id from the "
                + "register answer). Any failure (wrong, expired, used, another registration's code, unknown registration) "
                + "answers the same 400. Spent wrong-code budgets answer 429.")
            .WithRequestExample(new VerifyOtpRequest("ada@example.com", "123456", "0197a3e2-5b1c-7c4e-9a0b-3f2d1e4c5b6a"))
            .ProducesJsonBodyProblems()
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithRateLimit(RateLimitedEndpoint.VerifyOtp);
        return group;
    }

    public static async Task<Results<Ok<VerifyOtpResponse>, ValidationProblem, ProblemHttpResult>> VerifyOtp(
        VerifyOtpRequest request, VerificationFlow verification, OtpCodeGenerator codes, HttpContext context, CancellationToken cancellationToken)
    {
        var email = EmailAddress.Normalize(request.Email, out var emailError);
        var code = codes.Canonical(request.Code);
        var codeError = code is null ? codes.FormatError() : null;
        var id = AuthApi.ParseRegistrationId(request.RegistrationId, out var idError);
        if (email is null || code is null || id is null)
        {
            return AuthApi.Invalid(("email", emailError), ("code", codeError), ("registration_id", idError));
        }

        var result = await verification.VerifyAsync(email, code, id.Value, ClientAddress.NetworksOf(context), cancellationToken);
        return result.Status switch
        {
            AuthStatus.Success => TypedResults.Ok(new VerifyOtpResponse("Email verified. You can now log in.", Verified: true)),
            AuthStatus.RateLimited => AuthApi.TooManyRequests(context.Response, result.RetryAfter, "Too many wrong codes for this address."),
            _ => AuthApi.Problem(StatusCodes.Status400BadRequest, InvalidCode),
        };
    }
}
