using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using OtpAuth.Api.Account;
using OtpAuth.Api.EmailChange;
using OtpAuth.Api.Infrastructure;
using OtpAuth.Api.Login;
using OtpAuth.Api.Mfa;
using OtpAuth.Api.Passkeys;
using OtpAuth.Api.Recovery;
using OtpAuth.Api.Registration;
using OtpAuth.Api.Sessions;
using OtpAuth.Api.SignIn;
using OtpAuth.Api.Verification;

namespace OtpAuth.Api.Auth;

/// <summary>A request about one email address: rate limits count per address as well as per client.</summary>
public interface IAddressedRequest
{
    string? Email { get; }
}

/// <summary>
/// The <c>/auth</c> endpoints (docs/api.md), each flow in its own folder beside its endpoints (Registration,
/// Verification, Login, SignIn, Sessions, Recovery, EmailChange, Account), and the answers they share. JSON names are snake_case (see ApplicationServiceExtensions);
/// request fields are nullable so that a missing field is a validation error naming it, not an unreadable body.
/// </summary>
public static class AuthApi
{
    public static RouteGroupBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/auth").WithTags("Auth")
            .MapRegistrationApi()
            .MapVerificationApi()
            .MapLoginApi()
            .MapSessionsApi()
            .MapRecoveryApi()
            .MapEmailChangeApi()
            .MapAccountApi()
            .MapMfaApi()
            .MapPasskeysApi()
            .MapClientSettingsApi();
        return app.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<AuthOptions>>().Value.EmailCodeSignIn
            ? group.MapSignInCodeApi()
            : group;
    }

    public static ProblemHttpResult Problem(int status, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status);

    /// <summary>429 with <c>Retry-After</c> in whole seconds (at least 1) and the wait in words.</summary>
    public static ProblemHttpResult TooManyRequests(HttpResponse response, TimeSpan retryAfter, string reason)
    {
        var seconds = SetRetryAfter(response, retryAfter);
        return Problem(StatusCodes.Status429TooManyRequests, $"{reason} Try again in {DurationText.Describe(TimeSpan.FromSeconds(seconds))}.");
    }

    /// <summary>503 with <c>Retry-After</c>: the service cannot send mail now (its budget is spent).</summary>
    public static ProblemHttpResult Unavailable(HttpResponse response, TimeSpan retryAfter)
    {
        var seconds = SetRetryAfter(response, retryAfter > TimeSpan.Zero ? retryAfter : TimeSpan.FromSeconds(5));
        return Problem(StatusCodes.Status503ServiceUnavailable,
            $"The service is busy and could not send the email now. Please try again in {DurationText.Describe(TimeSpan.FromSeconds(seconds))}.");
    }

    public static ValidationProblem Invalid(params (string Field, string? Error)[] fields)
    {
        var errors = fields
            .Where(f => f.Error is not null)
            .ToDictionary(f => f.Field, f => new[] { f.Error! });
        return TypedResults.ValidationProblem(errors, detail: string.Join(" ", errors.Values.Select(e => e[0])));
    }

    /// <summary>A registration id as the register answer gave it, or null with a message naming the field.</summary>
    public static Guid? ParseRegistrationId(string? value, out string? error) =>
        ParseFlowId(value, "registration_id", "the register answer", "registration", out error);

    /// <summary>
    /// The id of a flow (<paramref name="field"/>) as <paramref name="answer"/> gave it, or null with a message naming the
    /// field: a code completes only the flow it was mailed for.
    /// </summary>
    public static Guid? ParseFlowId(string? value, string field, string answer, string flow, out string? error)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            error = $"{field} is required: the id {answer} gave (a code completes only its own {flow}).";
            return null;
        }

        error = Guid.TryParseExact(value.Trim(), "D", out var id) ? null : $"{field} must be the id {answer} gave.";
        return error is null ? id : null;
    }

    private static int SetRetryAfter(HttpResponse response, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return seconds;
    }
}
