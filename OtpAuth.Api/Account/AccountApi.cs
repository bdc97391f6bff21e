using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OtpAuth.Api.Auth;
using OtpAuth.Api.Infrastructure;
using OtpAuth.Api.Otp;
using OtpAuth.Api.Passwords;
using OtpAuth.Api.RateLimiting;
using OtpAuth.Api.Registration;
using OtpAuth.Api.Security;
using OtpAuth.Api.Sessions;
using OtpAuth.Api.Verification;

namespace OtpAuth.Api.Account;

/// <summary>Either the account's password or the code of <c>POST /auth/account/delete-code</c>.</summary>
public sealed record DeleteAccountRequest(string? Password, string? Code);

/// <param name="OtpExpiresIn">Seconds the mailed deletion code stays valid.</param>
/// <param name="CodeLength">Characters of that code.</param>
public sealed record DeletionCodeResponse(int OtpExpiresIn, int CodeLength);

/// <summary><c>DELETE /auth/account</c>, <c>POST /auth/account/delete-code</c> and <c>GET /auth/account/export</c>.</summary>
public static class AccountApi
{
    public static RouteGroupBuilder MapAccountApi(this RouteGroupBuilder group)
    {
        var account = group.MapGroup("/account");
        SessionsApi.Account(account.MapDelete("", Delete)
            .WithName("DeleteAccount")
            .WithSummary("Delete the account and everything stored about it; every session ends, a mail confirms it")
            .WithDescription("Send the password, or the code of POST /auth/account/delete-code.")
            .WithRequestExample(new DeleteAccountRequest("correct horse battery staple", null))
            .ProducesJsonBodyProblems())
            .RequireRecentAuthentication();

        SessionsApi.Account(account.MapPost("/delete-code", SendCode)
            .WithName("AccountDeletionCode")
            .WithSummary("Email a code that deletes the account without its password"))
            .RequireRecentAuthentication()
            .WithRateLimit(RateLimitedEndpoint.AccountCodes);

        SessionsApi.Account(account.MapGet("/export", Export)
            .WithName("ExportAccount")
            .WithSummary("Everything stored about the account, as JSON (never a hash, code or token)"));
        return group;
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Delete(
        [FromBody] DeleteAccountRequest? request, AccountDeletion deletion, OtpCodeGenerator codes, ClaimsPrincipal principal, HttpContext context,
        CancellationToken cancellationToken)
    {
        var password = string.IsNullOrEmpty(request?.Password) ? null : PasswordRules.Normalize(request.Password);
        var code = string.IsNullOrWhiteSpace(request?.Code) ? null : codes.Canonical(request.Code);
        if (password is null && code is null)
        {
            return string.IsNullOrWhiteSpace(request?.Code)
                ? AuthApi.Invalid(("password", "password (or code, from POST /auth/account/delete-code) is required."))
                : AuthApi.Invalid(("code", codes.FormatError()));
        }

        var (user, _) = SessionsApi.Identify(principal);
        var result = await deletion.DeleteAsync(user, password, password is null ? code : null, ClientAddress.NetworksOf(context), ClientAddress.For(context), cancellationToken);
        return result.Status switch
        {
            AuthStatus.Success => TypedResults.NoContent(),
            AuthStatus.InvalidCredentials => AuthApi.Invalid(("password", "This is not the account's current password.")),
            AuthStatus.RateLimited => AuthApi.TooManyRequests(context.Response, result.RetryAfter, "Too many wrong tries for this account."),
            _ => AuthApi.Problem(StatusCodes.Status400BadRequest, VerificationApi.InvalidCode),
        };
    }

    public static async Task<Results<Accepted<DeletionCodeResponse>, ProblemHttpResult>> SendCode(
        AccountDeletion deletion, ClaimsPrincipal principal, HttpContext context, CancellationToken cancellationToken)
    {
        var (user, _) = SessionsApi.Identify(principal);
        var result = await deletion.SendCodeAsync(user, ClientAddress.NetworksOf(context), cancellationToken);
        return result.Status switch
        {
            AuthStatus.Success => TypedResults.Accepted((string?)null, new DeletionCodeResponse((int)deletion.CodeLifetime.TotalSeconds, result.CodeLength)),
            AuthStatus.InvalidCredentials => AuthApi.Problem(StatusCodes.Status401Unauthorized, "The token does not belong to an existing account."),
            AuthStatus.RateLimited => AuthApi.TooManyRequests(context.Response, result.RetryAfter, "Too many codes were requested for this address."),
            AuthStatus.Busy => AuthApi.Unavailable(context.Response, result.RetryAfter),
            _ => AuthApi.Problem(StatusCodes.Status503ServiceUnavailable, RegistrationApi.EmailNotSent),
        };
    }

    public static async Task<Results<Ok<AccountExportResponse>, ProblemHttpResult>> Export(
        AccountExport export, ClaimsPrincipal principal, HttpContext context, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var (user, _) = SessionsApi.Identify(principal);
        var data = await export.ExportAsync(user, cancellationToken);
        if (data is null)
        {
            return AuthApi.Problem(StatusCodes.Status401Unauthorized, "The token does not belong to an existing account.");
        }

        SecurityEvents.AccountExported(SecurityEvents.Logger(loggers), user, ClientAddress.For(context));
        context.RequestServices.GetRequiredService<ApiMetrics>().Account("export", "ok");
        context.Response.Headers.ContentDisposition = "attachment; filename=\"otpauth-account.json\"";
        return TypedResults.Ok(data);
    }
}
