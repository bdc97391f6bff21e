using System.Net;
using System.Net.Http.Json;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Security;

/// <summary>
/// The tests against <see cref="OtpAuthSystem.Limits"/>: they share its per-client counters, so they run one at a time.
/// </summary>
[CollectionDefinition(Name)]
public sealed class TightLimits
{
    public const string Name = "Tight limits";

    public static CancellationToken Token => TestContext.Current.CancellationToken;

    public static Task<HttpResponseMessage> ResendAsync(HttpClient http, string? forwardedFor = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/auth/resend-otp")
        {
            Content = JsonContent.Create(new { email = AuthClient.NewAddress(), registration_id = Guid.CreateVersion7() }),
        };
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        return http.SendAsync(request, Token);
    }

    /// <summary>
    /// Spends whatever is left of the current per-IP resend window, then waits it out, so the next request opens a fresh
    /// window and the test counts from zero.
    /// </summary>
    public static async Task StartFreshResendWindowAsync(HttpClient http)
    {
        for (var i = 0; i <= OtpAuthSystem.LimitsResendPerIp; i++)
        {
            using var response = await ResendAsync(http);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                await Task.Delay(response.Headers.RetryAfter!.Delta!.Value + TimeSpan.FromMilliseconds(300), Token);
                return;
            }
        }

        throw new InvalidOperationException("The per-IP resend limit never answered 429.");
    }
}
