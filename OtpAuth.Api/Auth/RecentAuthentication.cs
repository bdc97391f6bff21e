using System.Globalization;
using Microsoft.Extensions.Options;
using OtpAuth.Api.Tokens;

namespace OtpAuth.Api.Auth;

/// <summary>
/// Actions that would let a stolen session keep the account (changing its address, deleting it) need the person to have
/// signed in within <see cref="AuthOptions.RecentAuthenticationMinutes"/>: the access token's <c>auth_time</c>, which a
/// refresh never renews. Otherwise 401 with <see cref="ProblemType"/>, so a client knows to ask for the password (or an
/// emailed code) again rather than treat the session as ended.
/// </summary>
public static class RecentAuthentication
{
    public const string ProblemType = "urn:otpauth:problem:reauthentication-required";

    public static RouteHandlerBuilder RequireRecentAuthentication(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var services = context.HttpContext.RequestServices;
            var window = TimeSpan.FromMinutes(services.GetRequiredService<IOptions<AuthOptions>>().Value.RecentAuthenticationMinutes);
            var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
            var claim = context.HttpContext.User.FindFirst(TokenIssuer.AuthTimeClaim)?.Value;
            var recent = long.TryParse(claim, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                && now - DateTimeOffset.FromUnixTimeSeconds(seconds) <= window;
            return recent
                ? await next(context)
                : TypedResults.Problem(
                    statusCode: StatusCodes.Status401Unauthorized,
                    type: ProblemType,
                    title: "Reauthentication required",
                    detail: $"This needs a sign-in within the last {Infrastructure.DurationText.Describe(window)}: sign in again (password or emailed code), then retry.");
        })
        .ProducesProblem(StatusCodes.Status401Unauthorized);
}
