using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OtpAuth.Api.Auth;
using OtpAuth.Api.Infrastructure;
using OtpAuth.Api.RateLimiting;
using OtpAuth.Api.Security;
using OtpAuth.Api.Sessions;
using OtpAuth.Api.Verification;

namespace OtpAuth.Api.Mfa;

/// <summary>What a right first factor answers on an account with a second one: no tokens yet.</summary>
public sealed record MfaRequiredResponse(bool MfaRequired, string MfaToken, IReadOnlyList<string> Methods, int ExpiresIn);

public sealed record TotpCodeRequest(string? Code);

public sealed record TotpRemoveRequest(string? Code, string? RecoveryCode);

public sealed record RecoveryCodesResponse(IReadOnlyList<string> RecoveryCodes);

public sealed record MfaVerifyRequest(string? MfaToken, string? Code, string? RecoveryCode, JsonElement? Credential);

public sealed record MfaPasskeyOptionsRequest(string? MfaToken);

/// <summary><c>/auth/mfa</c>: TOTP setup, confirm and removal; the second step of a sign-in.</summary>
public static class MfaApi
{
    public const string InvalidChallenge = "The sign-in has expired or was completed: sign in again.";

    public static RouteGroupBuilder MapMfaApi(this RouteGroupBuilder group)
    {
        var mfa = group.MapGroup("/mfa");
        SessionsApi.Account(mfa.MapPost("/totp/setup", Setup)
            .WithName("TotpSetup")
            .WithSummary("A new TOTP secret for an authenticator app (text, otpauth URI, QR code); nothing changes until confirmed")
            .ProducesProblem(StatusCodes.Status409Conflict))
            .RequireRecentAuthentication();
        SessionsApi.Account(mfa.MapPost("/totp/confirm", Confirm)
            .WithName("TotpConfirm")
            .WithSummary("A code from the app turns TOTP on; the answer holds ten recovery codes, shown this once")
            .ProducesJsonBodyProblems());
        SessionsApi.Account(mfa.MapDelete("/totp", Remove)
            .WithName("TotpRemove")
            .WithSummary("Turn TOTP off with a current code or a recovery code; the recovery codes are void")
            .ProducesJsonBodyProblems())
            .RequireRecentAuthentication();

        mfa.MapPost("/verify", Verify)
            .WithName("MfaVerify")
            .WithSummary("The second step of a sign-in: the mfa_token with a TOTP code, a recovery code or a passkey's answer")
            .ProducesJsonBodyProblems()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithRateLimit(RateLimitedEndpoint.MfaVerify);
        mfa.MapPost("/passkey/options", PasskeyOptions)
            .WithName("MfaPasskeyOptions")
            .WithSummary("WebAuthn request options for the account's passkeys, as the second step of the mfa_token's sign-in")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .WithRateLimit(RateLimitedEndpoint.MfaVerify);
        return group;
    }

    /// <summary>200 with the mfa challenge instead of tokens (login and sign-in by code share it).</summary>
    public static Ok<MfaRequiredResponse> Required(AuthResult result, Microsoft.Extensions.Options.IOptions<MfaOptions> options) =>
        TypedResults.Ok(new MfaRequiredResponse(true, result.MfaToken!, result.MfaMethods!, options.Value.ChallengeSeconds));

    public static async Task<Results<Ok<TotpSetup>, ProblemHttpResult>> Setup(TotpEnrollment enrollment, ClaimsPrincipal principal, CancellationToken cancellationToken)
    {
        var (user, _) = SessionsApi.Identify(principal);
        var (status, setup) = await enrollment.SetupAsync(user, cancellationToken);
        return status switch
        {
            AuthStatus.Success => TypedResults.Ok(setup!),
            AuthStatus.AlreadyRegistered => AuthApi.Problem(StatusCodes.Status409Conflict, "TOTP is already on for this account: remove it first to set up another app."),
            _ => AuthApi.Problem(StatusCodes.Status401Unauthorized, "The token does not belong to an existing account."),
        };
    }

    public static async Task<Results<Ok<RecoveryCodesResponse>, ValidationProblem, ProblemHttpResult>> Confirm(
        TotpCodeRequest request, TotpEnrollment enrollment, ClaimsPrincipal principal, HttpContext context, CancellationToken cancellationToken)
    {
        var code = request.Code?.Trim();
        if (code is not { Length: TotpCodes.Digits } || !code.All(char.IsAsciiDigit))
        {
            return AuthApi.Invalid(("code", $"code must be the {TotpCodes.Digits} digits the app shows."));
        }

        var (user, _) = SessionsApi.Identify(principal);
        var (result, codes) = await enrollment.ConfirmAsync(user, code, ClientAddress.For(context), cancellationToken);
        return result.Status switch
        {
            AuthStatus.Success => TypedResults.Ok(new RecoveryCodesResponse(codes!)),
            AuthStatus.RateLimited => AuthApi.TooManyRequests(context.Response, result.RetryAfter, "Too many wrong codes for this account."),
            _ => AuthApi.Problem(StatusCodes.Status400BadRequest, VerificationApi.InvalidCode),
        };
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Remove(
        [FromBody] TotpRemoveRequest? request, TotpEnrollment enrollment, ClaimsPrincipal principal, HttpContext context, CancellationToken cancellationToken)
    {
        var (code, recoveryCode, error) = ReadCode(request?.Code, request?.RecoveryCode);
        if (error is not null)
        {
            return error;
        }

        var (user, _) = SessionsApi.Identify(principal);
        var result = await enrollment.RemoveAsync(user, code, recoveryCode, ClientAddress.For(context), cancellationToken);
        return result.Status switch
        {
            AuthStatus.Success => TypedResults.NoContent(),
            AuthStatus.NotVerified => AuthApi.Problem(StatusCodes.Status409Conflict, "TOTP is not on for this account."),
            AuthStatus.RateLimited => AuthApi.TooManyRequests(context.Response, result.RetryAfter, "Too many wrong codes for this account."),
            _ => AuthApi.Problem(StatusCodes.Status400BadRequest, VerificationApi.InvalidCode),
        };
    }

    public static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> Verify(
        MfaVerifyRequest request, SecondFactorSignIn secondFactor, HttpContext context, CancellationToken cancellationToken)
    {
        var tokenError = string.IsNullOrWhiteSpace(request.MfaToken) ? "mfa_token is required: the one the sign-in answered." : null;
        var hasCredential = request.Credential is { ValueKind: JsonValueKind.Object };
        var (code, recoveryCode, error) = hasCredential ? (null, null, null) : ReadCode(request.Code, request.RecoveryCode);
        if (tokenError is not null)
        {
            return AuthApi.Invalid(("mfa_token", tokenError));
        }

        if (error is not null)
        {
            return error;
        }

        var result = await secondFactor.VerifyAsync(request.MfaToken!.Trim(), code, recoveryCode, hasCredential ? request.Credential : null,
            context.Request.Headers.UserAgent.ToString(), ClientAddress.For(context), cancellationToken);
        return result.Status switch
        {
            AuthStatus.Success => TypedResults.Ok(TokenResponse.From(result.Session!)),
            AuthStatus.InvalidCredentials => AuthApi.Problem(StatusCodes.Status401Unauthorized, InvalidChallenge),
            AuthStatus.RateLimited => AuthApi.TooManyRequests(context.Response, result.RetryAfter, "Too many wrong codes for this account."),
            _ => AuthApi.Problem(StatusCodes.Status400BadRequest, VerificationApi.InvalidCode),
        };
    }

    public static async Task<Results<ContentHttpResult, ValidationProblem, ProblemHttpResult>> PasskeyOptions(
        MfaPasskeyOptionsRequest request, SecondFactorSignIn secondFactor, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.MfaToken))
        {
            return AuthApi.Invalid(("mfa_token", "mfa_token is required: the one the sign-in answered."));
        }

        return await secondFactor.PasskeyOptionsAsync(request.MfaToken.Trim(), cancellationToken) is { } options
            ? TypedResults.Content(options, "application/json")
            : AuthApi.Problem(StatusCodes.Status401Unauthorized, InvalidChallenge);
    }

    /// <summary>Exactly one of a 6-digit TOTP code and a recovery code, in canonical form.</summary>
    private static (string? Code, string? RecoveryCode, ValidationProblem? Error) ReadCode(string? code, string? recoveryCode)
    {
        if (!string.IsNullOrWhiteSpace(recoveryCode))
        {
            return RecoveryCodes.Canonical(recoveryCode) is { } canonical
                ? (null, canonical, null)
                : (null, null, AuthApi.Invalid(("recovery_code", "recovery_code must be one of the 16-character codes shown when TOTP was set up.")));
        }

        var digits = code?.Trim();
        return digits is { Length: TotpCodes.Digits } && digits.All(char.IsAsciiDigit)
            ? (digits, null, null)
            : (null, null, AuthApi.Invalid(("code", $"code (the {TotpCodes.Digits} digits of the app) or recovery_code is required.")));
    }
}
