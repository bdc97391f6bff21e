using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OtpAuth.Api.Auth;
using OtpAuth.Api.Infrastructure;
using OtpAuth.Api.Otp;
using OtpAuth.Api.Passwords;
using OtpAuth.Api.RateLimiting;
using OtpAuth.Api.Registration;
using OtpAuth.Api.Security;
using OtpAuth.Api.Sessions;
using OtpAuth.Api.Verification;

namespace OtpAuth.Api.EmailChange;

public sealed record EmailChangeRequest(string? NewEmail, string? Password);

/// <param name="ChangeId">The change's id: verify names it.</param>
/// <param name="Email">The new address, normalized.</param>
/// <param name="OtpExpiresIn">Seconds the code mailed to the new address stays valid.</param>
/// <param name="CodeLength">Characters of that code.</param>
public sealed record EmailChangeResponse(Guid ChangeId, string Email, int OtpExpiresIn, int CodeLength);

public sealed record EmailChangeVerifyRequest(string? ChangeId, string? Code);

public sealed record EmailResponse(string Email);

public sealed record EmailRevertRequest(string? Email, string? Code) : IAddressedRequest;

public sealed record EmailRevertResponse(string Email, string Message);

/// <summary><c>POST /auth/email/change</c>, <c>/auth/email/change/verify</c> and <c>/auth/email/change/revert</c>.</summary>
public static class EmailChangeApi
{
    public const string AddressTaken = "This address belongs to another account.";
    public const string Reverted = "Your address is back and every session has ended. Choose a new password with \"Forgot password?\" to sign in.";

    public static RouteGroupBuilder MapEmailChangeApi(this RouteGroupBuilder group)
    {
        var change = group.MapGroup("/email/change");
        SessionsApi.Account(change.MapPost("", Request)
            .WithName("EmailChange")
            .WithSummary("Ask to change the account's address: a code goes to the new one, nothing changes yet")
            .WithRequestExample(new EmailChangeRequest("grace@example.com", "correct horse battery staple"))
            .ProducesJsonBodyProblems()
            .ProducesProblem(StatusCodes.Status409Conflict))
            .RequireRecentAuthentication()
            .WithRateLimit(RateLimitedEndpoint.AccountCodes);

        SessionsApi.Account(change.MapPost("/verify", Verify)
            .WithName("EmailChangeVerify")
            .WithSummary("Enter the new address's code: the address changes, every other session ends, the old address is told")
            .WithDescription("The old address gets a mail with a code that takes the address back (POST /auth/email/change/revert) "
                + "for Auth:EmailRevertDays days; until then nobody else can have it.")
            .WithRequestExample(new EmailChangeVerifyRequest("0197a3e2-5b1c-7c4e-9a0b-3f2d1e4c5b6a", "123456"))
            .ProducesJsonBodyProblems()
            .ProducesProblem(StatusCodes.Status409Conflict))
            .RequireRecentAuthentication();

        change.MapPost("/revert", Revert)
            .WithName("EmailChangeRevert")
            .WithSummary("Take an address back with the code mailed to it when it was changed away")
            .WithDescription("Every session of the account ends and its password stops working: whoever changed the address may "
                + "know it. The owner chooses a new one with a reset code.")
            .WithRequestExample(new EmailRevertRequest("ada@example.com", "123456"))
            .ProducesJsonBodyProblems()
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithRateLimit(RateLimitedEndpoint.RevertEmail);
        return group;
    }

    public static async Task<Results<Accepted<EmailChangeResponse>, ValidationProblem, ProblemHttpResult>> Request(
        EmailChangeRequest request, EmailChangeFlow flow, ClaimsPrincipal principal, HttpContext context, CancellationToken cancellationToken)
    {
        var email = EmailAddress.Normalize(request.NewEmail, out var emailError);
        var passwordError = string.IsNullOrEmpty(request.Password) ? "password is required: the account's current password." : null;
        if (email is null || passwordError is not null)
        {
            return AuthApi.Invalid(("new_email", emailError), ("password", passwordError));
        }

        var (user, _) = SessionsApi.Identify(principal);
        var result = await flow.RequestAsync(user, email, PasswordRules.Normalize(request.Password!), ClientAddress.NetworksOf(context), ClientAddress.For(context), cancellationToken);
        return result.Status switch
        {
            AuthStatus.Success => TypedResults.Accepted((string?)null,
                new EmailChangeResponse(result.FlowId!.Value, email, (int)flow.CodeLifetime.TotalSeconds, result.CodeLength)),
            AuthStatus.AlreadyRegistered => AuthApi.Invalid(("new_email", "This is already the account's address.")),
            AuthStatus.InvalidCredentials => AuthApi.Invalid(("password", "This is not the account's current password.")),
            AuthStatus.AddressTaken => AuthApi.Problem(StatusCodes.Status409Conflict, AddressTaken),
            AuthStatus.RateLimited => AuthApi.TooManyRequests(context.Response, result.RetryAfter, "Too many tries for this account or address."),
            AuthStatus.Busy => AuthApi.Unavailable(context.Response, result.RetryAfter),
            _ => AuthApi.Problem(StatusCodes.Status503ServiceUnavailable, RegistrationApi.EmailNotSent),
        };
    }

    public static async Task<Results<Ok<EmailResponse>, ValidationProblem, ProblemHttpResult>> Verify(
        EmailChangeVerifyRequest request, EmailChangeFlow flow, OtpCodeGenerator codes, ClaimsPrincipal principal, HttpContext context, CancellationToken cancellationToken)
    {
        var id = AuthApi.ParseFlowId(request.ChangeId, "change_id", "the email change answer", "address change", out var idError);
        var code = codes.Canonical(request.Code);
        var codeError = code is null ? codes.FormatError() : null;
        if (id is null || code is null)
        {
            return AuthApi.Invalid(("change_id", idError), ("code", codeError));
        }

        var (user, session) = SessionsApi.Identify(principal);
        var (result, newEmail) = await flow.VerifyAsync(user, session, id.Value, code, ClientAddress.NetworksOf(context), ClientAddress.For(context), cancellationToken);
        return result.Status switch
        {
            AuthStatus.Success => TypedResults.Ok(new EmailResponse(newEmail!)),
            AuthStatus.AddressTaken => AuthApi.Problem(StatusCodes.Status409Conflict, AddressTaken),
            AuthStatus.RateLimited => AuthApi.TooManyRequests(context.Response, result.RetryAfter, "Too many wrong codes for this address."),
            AuthStatus.EmailFailed => AuthApi.Problem(StatusCodes.Status503ServiceUnavailable,
                "Your old address could not be told of the change, so nothing was changed. Please try again in a moment."),
            _ => AuthApi.Problem(StatusCodes.Status400BadRequest, VerificationApi.InvalidCode),
        };
    }

    public static async Task<Results<Ok<EmailRevertResponse>, ValidationProblem, ProblemHttpResult>> Revert(
        EmailRevertRequest request, EmailChangeFlow flow, OtpCodeGenerator codes, HttpContext context, CancellationToken cancellationToken)
    {
        var email = EmailAddress.Normalize(request.Email, out var emailError);
        var code = codes.Canonical(request.Code);
        var codeError = code is null ? codes.FormatError() : null;
        if (email is null || code is null)
        {
            return AuthApi.Invalid(("email", emailError), ("code", codeError));
        }

        var result = await flow.RevertAsync(email, code, ClientAddress.NetworksOf(context), ClientAddress.For(context), cancellationToken);
        return result.Status switch
        {
            AuthStatus.Success => TypedResults.Ok(new EmailRevertResponse(email, Reverted)),
            AuthStatus.RateLimited => AuthApi.TooManyRequests(context.Response, result.RetryAfter, "Too many wrong codes for this address."),
            _ => AuthApi.Problem(StatusCodes.Status400BadRequest, VerificationApi.InvalidCode),
        };
    }
}
