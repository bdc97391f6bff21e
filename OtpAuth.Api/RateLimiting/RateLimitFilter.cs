using Microsoft.Extensions.Options;
using OtpAuth.Api.Auth;
using OtpAuth.Api.Infrastructure;
using OtpAuth.Api.Otp;
using OtpAuth.Api.Security;

namespace OtpAuth.Api.RateLimiting;

/// <summary>
/// Counts each call of an endpoint against its per-client-IP and per-address limits (<see cref="RateLimitOptions"/>)
/// before the handler runs, and answers 429 problem details with <c>Retry-After</c> past either. Runs after model
/// binding, so it can read the address; unreadable bodies are refused before any work anyway.
/// </summary>
public static class RateLimitFilter
{
    public static RouteHandlerBuilder WithRateLimit(this RouteHandlerBuilder builder, RateLimitedEndpoint endpoint) =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var services = http.RequestServices;
            var limiter = services.GetRequiredService<RedisRateLimiter>();
            if (!limiter.Enabled)
            {
                return await next(context);
            }

            var limit = services.GetRequiredService<IOptions<RateLimitOptions>>().Value.For(endpoint);
            var hasher = services.GetRequiredService<OtpHasher>();
            var window = TimeSpan.FromSeconds(limit.WindowSeconds);
            var client = ClientAddress.For(http);
            var name = endpoint.ToString().ToLowerInvariant();

            var checks = new List<Task<RateLimitDecision>>(2)
            {
                limiter.TryAcquireAsync($"{name}:ip:{hasher.OpaqueId("ip", client)}", limit.PerIp, window),
            };
            var address = context.Arguments.OfType<IAddressedRequest>().FirstOrDefault() is { } request && limit.PerAddress > 0
                ? EmailAddress.Normalize(request.Email, out _)
                : null;
            if (address is not null)
            {
                checks.Add(limiter.TryAcquireAsync($"{name}:address:{hasher.AddressKey(address)}", limit.PerAddress, window));
            }

            var decisions = await Task.WhenAll(checks);
            var refused = decisions.Where(d => !d.Allowed).ToList();
            if (refused.Count == 0)
            {
                return await next(context);
            }

            var retryAfter = refused.Max(d => d.RetryAfter);
            var byAddress = decisions.Length > 1 && !decisions[1].Allowed;
            SecurityEvents.RateLimited(services.GetRequiredService<ILoggerFactory>(), name, byAddress ? "address" : "ip", client, retryAfter);
            services.GetRequiredService<ApiMetrics>().RateLimited(name, byAddress ? "address" : "ip");
            return AuthApi.TooManyRequests(http.Response, retryAfter,
                byAddress ? "Too many requests for this address." : "Too many requests from your network.");
        });
}
