using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.IdentityModel.JsonWebTokens;
using OtpAuth.Api.Auth;
using OtpAuth.Api.Infrastructure;
using OtpAuth.Api.RateLimiting;
using OtpAuth.Api.Security;
using OtpAuth.Api.Tokens;

namespace OtpAuth.Api.Sessions;

public sealed record RefreshRequest(string? RefreshToken);

public sealed record SessionResponse(Guid Id, DateTimeOffset CreatedAt, DateTimeOffset LastUsedAt, string? UserAgent, bool Current);

/// <summary><c>POST /auth/refresh</c>, <c>POST /auth/logout</c>, <c>POST /auth/logout-all</c>, <c>GET /auth/sessions</c>, <c>DELETE /auth/sessions/{id}</c>.</summary>
public static class SessionsApi
{
    public const string InvalidRefreshToken = "Invalid or expired refresh token";

    public static RouteGroupBuilder MapSessionsApi(this RouteGroupBuilder group)
    {
        group.MapPost("/refresh", Refresh)
            .WithName("Refresh")
            .WithSummary("Exchange a refresh token for a new access token and a new refresh token")
            .WithDescription("The refresh token is rotated: the one sent stops working. Sending an already rotated one again revokes its whole session.")
            .WithRequestExample(new RefreshRequest("the refresh_token of the last login or refresh"))
            .ProducesJsonBodyProblems()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithRateLimit(RateLimitedEndpoint.Refresh);

        Account(group.MapPost("/logout", Logout).WithName("Logout").WithSummary("End this session (its refresh token and access tokens)"));
        Account(group.MapPost("/logout-all", LogoutAll).WithName("LogoutAll").WithSummary("End every session of the account, this one included"));
        Account(group.MapGet("/sessions", List).WithName("Sessions").WithSummary("The account's live sessions; current marks this one"));
        Account(group.MapDelete("/sessions/{id:guid}", Revoke).WithName("RevokeSession").WithSummary("End one session of the account"))
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    /// <summary>The endpoints of a signed-in account: a bearer token of a live session, and the account limits.</summary>
    public static RouteHandlerBuilder Account(RouteHandlerBuilder endpoint) => endpoint
        .RequireAuthorization()
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status429TooManyRequests)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
        .WithRateLimit(RateLimitedEndpoint.Me);

    public static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> Refresh(
        RefreshRequest request, SessionStore sessions, HttpContext context, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.RefreshToken))
        {
            return AuthApi.Invalid(("refresh_token", "refresh_token is required."));
        }

        var (outcome, session) = await sessions.RefreshAsync(request.RefreshToken.Trim(), ClientAddress.For(context), cancellationToken);
        return outcome == RefreshOutcome.Refreshed
            ? TypedResults.Ok(TokenResponse.From(session!))
            : AuthApi.Problem(StatusCodes.Status401Unauthorized, InvalidRefreshToken);
    }

    public static async Task<NoContent> Logout(ClaimsPrincipal principal, SessionStore sessions, CancellationToken cancellationToken)
    {
        var (user, session) = Identify(principal);
        await sessions.RevokeAsync(user, session, "logout", cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<NoContent> LogoutAll(ClaimsPrincipal principal, SessionStore sessions, CancellationToken cancellationToken)
    {
        var (user, _) = Identify(principal);
        await sessions.RevokeAllAsync(user, except: null, "logout_all", cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<List<SessionResponse>>> List(ClaimsPrincipal principal, SessionStore sessions, CancellationToken cancellationToken)
    {
        var (user, current) = Identify(principal);
        var live = await sessions.ListAsync(user, cancellationToken);
        return TypedResults.Ok(live.Select(s => new SessionResponse(s.Id, s.CreatedAt, s.LastUsedAt, s.UserAgent, s.Id == current)).ToList());
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Revoke(
        Guid id, ClaimsPrincipal principal, SessionStore sessions, CancellationToken cancellationToken)
    {
        var (user, _) = Identify(principal);
        return await sessions.RevokeAsync(user, id, "revoke", cancellationToken)
            ? TypedResults.NoContent()
            : AuthApi.Problem(StatusCodes.Status404NotFound, "This account has no live session with that id.");
    }

    /// <summary>The user and session ids of a validated token (JwtBearerSetup refused any token without both).</summary>
    public static (Guid User, Guid Session) Identify(ClaimsPrincipal principal) =>
        (Guid.Parse(principal.FindFirstValue(JwtRegisteredClaimNames.Sub)!), Guid.Parse(principal.FindFirstValue(TokenIssuer.SessionClaim)!));
}
