using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.IdentityModel.JsonWebTokens;
using OtpAuth.Api.Auth;
using OtpAuth.Api.Infrastructure;
using OtpAuth.Api.Passwords;
using OtpAuth.Api.RateLimiting;
using OtpAuth.Api.Security;
using OtpAuth.Api.Sessions;

namespace OtpAuth.Api.Login;

public sealed record LoginRequest(string? Email, string? Password) : IAddressedRequest;

/// <param name="TotpEnabled">Whether a sign-in with the password or an emailed code asks for a TOTP code next.</param>
public sealed record MeResponse(Guid Id, string Email, DateTimeOffset CreatedAt, DateTimeOffset? VerifiedAt, bool TotpEnabled);

/// <summary><c>POST /auth/login</c> and <c>GET /auth/me</c>.</summary>
public static class LoginApi
{
    public const string InvalidCredentials = "Invalid email or password";
    public const string NotVerified = "Email not verified";

    public static RouteGroupBuilder MapLoginApi(this RouteGroupBuilder group)
    {
        group.MapPost("/login", Login)
            .WithName("Login")
            .WithSummary("Exchange email and password for an access token and a refresh token (a new session)")
            .WithDescription("403 Email not verified comes only when the password matches the newest pending registration of the address. "
                + "An account with a second factor answers 200 {mfa_required, mfa_token, methods} instead of tokens: POST /auth/mfa/verify continues.")
            .WithRequestExample(new LoginRequest("ada@example.com", "correct horse battery staple"))
            .ProducesJsonBodyProblems()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithRateLimit(RateLimitedEndpoint.Login);

        group.MapGet("/me", Me)
            .WithName("Me")
            .WithSummary("The account the bearer token belongs to")
            .RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithRateLimit(RateLimitedEndpoint.Me);

        return group;
    }

    public static async Task<Results<Ok<TokenResponse>, Ok<Mfa.MfaRequiredResponse>, ValidationProblem, ProblemHttpResult>> Login(
        LoginRequest request, LoginFlow login, Microsoft.Extensions.Options.IOptions<Mfa.MfaOptions> mfa, HttpContext context, CancellationToken cancellationToken)
    {
        var email = EmailAddress.Normalize(request.Email, out var emailError);
        // Login checks only presence: the length rules are for choosing a password, not for typing one.
        var passwordError = string.IsNullOrEmpty(request.Password) ? "Password is required." : null;
        if (email is null || passwordError is not null)
        {
            return AuthApi.Invalid(("email", emailError), ("password", passwordError));
        }

        var result = await login.LoginAsync(email, PasswordRules.Normalize(request.Password!), ClientAddress.For(context), context.Request.Headers.UserAgent.ToString(), cancellationToken);
        return result.Status switch
        {
            AuthStatus.Success => TypedResults.Ok(TokenResponse.From(result.Session!)),
            AuthStatus.SecondFactorRequired => Mfa.MfaApi.Required(result, mfa),
            AuthStatus.NotVerified => AuthApi.Problem(StatusCodes.Status403Forbidden, NotVerified),
            AuthStatus.RateLimited => AuthApi.TooManyRequests(context.Response, result.RetryAfter, "Too many failed logins for this address."),
            _ => AuthApi.Problem(StatusCodes.Status401Unauthorized, InvalidCredentials),
        };
    }

    public static async Task<Results<Ok<MeResponse>, ProblemHttpResult>> Me(
        ClaimsPrincipal principal, LoginFlow login, CancellationToken cancellationToken)
    {
        var user = Guid.TryParse(principal.FindFirstValue(JwtRegisteredClaimNames.Sub), out var id)
            ? await login.FindByIdAsync(id, cancellationToken)
            : null;
        return user is null
            ? AuthApi.Problem(StatusCodes.Status401Unauthorized, "The token does not belong to an existing account.")
            : TypedResults.Ok(new MeResponse(user.Id, user.Email, user.CreatedAt, user.VerifiedAt, user.RequiresSecondFactor));
    }
}
