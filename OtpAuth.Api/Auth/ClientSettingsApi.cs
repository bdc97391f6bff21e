using Microsoft.Extensions.Options;
using OtpAuth.Api.Otp;

namespace OtpAuth.Api.Auth;

/// <summary>The body of <c>GET /auth/settings</c>.</summary>
public sealed record ClientSettingsResponse(int OtpLength, int ResendCooldownSeconds, bool EmailCodeSignIn);

/// <summary>
/// <c>GET /auth/settings</c>: what a sign-in page needs to know of this deployment before its first call (as GoTrue's
/// <c>/settings</c>), read from the Api's own options, so a page cannot offer what the Api has turned off or draw code
/// boxes of another length than the Api mails. Nothing in it is secret: each value shows in the Api's answers anyway.
/// </summary>
public static class ClientSettingsApi
{
    public static RouteGroupBuilder MapClientSettingsApi(this RouteGroupBuilder group)
    {
        // Like every /auth answer it is not stored (HttpHardening): a changed setting reaches a page at its next load.
        group.MapGet("/settings", (IOptions<OtpOptions> otp, IOptions<AuthOptions> auth) =>
                TypedResults.Ok(new ClientSettingsResponse(otp.Value.Length, otp.Value.ResendCooldownSeconds, auth.Value.EmailCodeSignIn)))
            .WithName("ClientSettings")
            .WithSummary("The code length, the resend cooldown and whether sign-in by emailed code is on");
        return group;
    }
}
