using Microsoft.Extensions.Options;
using OtpAuth.Api.Auth;
using OtpAuth.Api.Infrastructure;
using OtpAuth.Api.Security;

namespace OtpAuth.Api.RateLimiting;

/// <summary>
/// Counts each call of an endpoint before the handler runs and answers 429 problem details with <c>Retry-After</c>
/// past a limit (<see cref="RateLimitOptions"/>): per client network (an IPv4 address; an IPv6 /64, /56 and /48, each with
/// its own limit), per address and client network, then per address from everyone, the last counted only for requests
/// within their own network's limits so that a stranger's refused requests never spend the owner's share. Runs after model
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

            var options = services.GetRequiredService<IOptions<RateLimitOptions>>().Value;
            var limit = options.For(endpoint);
            var hasher = services.GetRequiredService<IOpaqueIds>();
            var window = TimeSpan.FromSeconds(limit.WindowSeconds);
            var networks = ClientAddress.NetworksOf(http);
            var name = endpoint.ToString().ToLowerInvariant();
            var address = limit.PerAddress > 0 && context.Arguments.OfType<IAddressedRequest>().FirstOrDefault() is { } request
                ? EmailAddress.Normalize(request.Email, out _)
                : null;
            var addressId = address is null ? null : hasher.AddressKey(address);

            var checks = new List<(string By, Task<RateLimitDecision> Decision)>();
            foreach (var network in networks)
            {
                var networkId = hasher.OpaqueId("ip", network.Key);
                checks.Add(("ip", limiter.TryAcquireAsync($"{name}:ip:{networkId}", options.Scale(limit.PerIp, network.Size), window)));
                if (addressId is not null)
                {
                    checks.Add(("address", limiter.TryAcquireAsync($"{name}:address:{addressId}:{networkId}", options.Scale(limit.PerAddress, network.Size), window)));
                }
            }

            await Task.WhenAll(checks.Select(c => c.Decision));
            var refused = checks.Where(c => !c.Decision.Result.Allowed).ToList();
            if (refused.Count == 0 && addressId is not null && limit.AddressCeiling > 0)
            {
                var ceiling = await limiter.TryAcquireAsync($"{name}:address:{addressId}", limit.AddressCeiling, window);
                if (!ceiling.Allowed)
                {
                    refused.Add(("address", Task.FromResult(ceiling)));
                }
            }

            if (refused.Count == 0)
            {
                return await next(context);
            }

            var retryAfter = refused.Max(c => c.Decision.Result.RetryAfter);
            var by = refused.Any(c => c.By == "address") ? "address" : "ip";
            SecurityEvents.RateLimited(services.GetRequiredService<ILoggerFactory>(), name, by, networks[0].Key, retryAfter);
            services.GetRequiredService<ApiMetrics>().RateLimited(name, by);
            return AuthApi.TooManyRequests(http.Response, retryAfter,
                by == "address" ? "Too many requests for this address." : "Too many requests from your network.");
        });
}
