using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Security;

/// <summary>
/// A bounded fuzz pass: a few thousand generated hostile requests (wrong types, sizes, encodings, Unicode tricks,
/// injection strings, header abuse), seeded so a failure replays, all to the Api on loopback. None may answer 5xx or
/// leak an exception, stack trace, SQL or Redis text.
/// </summary>
public sealed class FuzzTests(OtpAuthSystem system) : IDisposable
{
    private const int Seed = 20261126;
    private const int Requests = 3000;
    private const int Parallelism = 6;

    private static readonly string[] Paths = ["/auth/register", "/auth/verify-otp", "/auth/resend-otp", "/auth/login", "/auth/me"];

    private static readonly string[] Hostile =
    [
        "' OR '1'='1", "'; DROP TABLE users; --", "\" OR 1=1 --", "${jndi:ldap://x/a}", "{{7*7}}", "<script>alert(1)</script>",
        "redis.call('FLUSHALL')", "\r\nSET x 1\r\n", "*1\r\n$8\r\nFLUSHALL\r\n", "../../etc/passwd", "%00", "\0", "\u202Eevil\u202C",
        "\u200B\u200D\uFEFF", "ａｄｍｉｎ@ｅｘａｍｐｌｅ．ｃｏｍ", "аdmin@example.com", "İ@example.com", "ß@example.com", "e\u0301@x.io",
        "\U0001F600@example.com", "a@b.c", "@", "a@", "@b.c", "a@@b.c", " ", "\t\n", "null", "[]", "{}", "０１２３４５", "१२३४५६", "１２３４５６",
    ];

    // Latin-1 request headers, so the non-ASCII header cases reach Kestrel (HttpClient refuses to send them otherwise).
    private readonly HttpClient _api = new(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.Latin1 })
    {
        BaseAddress = system.GetEndpoint("api"),
    };

    [Fact]
    public async Task Thousands_of_hostile_requests_get_no_5xx_and_no_internals()
    {
        var pidBefore = ApiPid();
        var random = new Random(Seed);
        var cases = Enumerable.Range(0, Requests).Select(i => Generate(random, i)).ToList();
        var failures = new ConcurrentBag<string>();
        var statuses = new ConcurrentDictionary<int, int>();

        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = TestContext.Current.CancellationToken },
            async (fuzz, token) =>
            {
                using var request = fuzz.Build();
                HttpResponseMessage response;
                try
                {
                    response = await _api.SendAsync(request, token);
                }
                catch (HttpRequestException) when (fuzz.OversizedHeaders)
                {
                    // Kestrel may close the connection on headers past its limits instead of answering 431: not a 5xx.
                    statuses.AddOrUpdate(0, 1, (_, n) => n + 1);
                    return;
                }
                catch (HttpRequestException exception)
                {
                    // Anything else that ends without an answer is a dropped connection, or a crashed Api.
                    failures.Add($"#{fuzz.Index} {fuzz.Description}: no answer ({exception.HttpRequestError}: {exception.Message})");
                    return;
                }

                using (response)
                {
                    var body = await response.Content.ReadAsStringAsync(token);
                    statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
                    if ((int)response.StatusCode >= 500)
                    {
                        failures.Add($"#{fuzz.Index} {fuzz.Description}: {(int)response.StatusCode} {body}");
                    }

                    foreach (var leak in new[] { "Exception", "   at ", "Npgsql", "StackExchange", "SELECT ", "ERR ", "System." })
                    {
                        if (body.Contains(leak, StringComparison.Ordinal))
                        {
                            failures.Add($"#{fuzz.Index} {fuzz.Description}: body leaks '{leak}': {body}");
                        }
                    }
                }
            });

        Assert.True(failures.IsEmpty, $"{failures.Count} bad answers (seed {Seed}); statuses {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}:\n"
            + string.Join("\n", failures.Take(20)));

        // Still the same process, and still ready: a crash and restart would also have answered 0 above.
        using var health = await _api.GetAsync("/health", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(pidBefore, ApiPid());
    }

    private int? ApiPid()
    {
        Assert.True(system.App.ResourceNotifications.TryGetCurrentState("api", out var api), "The api has no state.");
        var pid = api.Snapshot.Properties.SingleOrDefault(p => p.Name == "executable.pid")?.Value;
        Assert.NotNull(pid);
        return Convert.ToInt32(pid, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static FuzzCase Generate(Random random, int index)
    {
        var path = Paths[random.Next(Paths.Length)];
        var kind = random.Next(12);
        var method = random.Next(20) == 0 ? new HttpMethod(new[] { "PUT", "DELETE", "PATCH", "OPTIONS", "GET", "HEAD" }[random.Next(6)]) : HttpMethod.Post;
        byte[] body;
        var contentType = "application/json";
        string description;
        switch (kind)
        {
            case 0:
                body = RandomBytes(random, random.Next(1, 2048));
                description = "random bytes";
                break;
            case 1:
                body = Encoding.UTF8.GetBytes(new string('[', random.Next(65, 3000)) + new string(']', 10));
                description = "deep nesting";
                break;
            case 2:
                body = Encoding.UTF8.GetBytes($$"""{"email": {{JsonValue(random)}}, "password": {{JsonValue(random)}}, "code": {{JsonValue(random)}}}""");
                description = "wrong types";
                break;
            case 3:
                body = Encoding.UTF8.GetBytes($$"""{"email": "{{new string('a', random.Next(200, 20_000))}}@example.com", "password": "x"}""");
                description = "long strings";
                break;
            case 4:
                body = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("""{"email": "a@example.com", "code": "12"}"""), 0xC3, 0x28, 0xFF];
                description = "invalid UTF-8 and BOM";
                break;
            case 5:
                body = Encoding.Unicode.GetBytes("""{"email": "a@example.com", "password": "x"}""");
                contentType = "application/json; charset=utf-16";
                description = "UTF-16 body";
                break;
            case 6:
                body = Encoding.UTF8.GetBytes("""{"email": "a@example.com", "email": "b@example.com", "password": "pw", "__proto__": {"admin": true}}""");
                description = "duplicate and extra keys";
                break;
            case 7:
                body = Encoding.UTF8.GetBytes($$"""{"email": "{{Escape(Pick(random))}}", "password": "{{Escape(Pick(random))}}", "code": "{{Escape(Pick(random))}}"}""");
                description = "injection and Unicode strings";
                break;
            case 8:
                body = Encoding.UTF8.GetBytes("""{"email": "a@example.com", "password": "short"}""");
                contentType = new[] { "text/plain", "application/xml", "multipart/form-data; boundary=x", "application/json; charset=latin1", "*/*", "application/x-www-form-urlencoded" }[random.Next(6)];
                description = "content type " + contentType;
                break;
            case 9:
                body = Encoding.UTF8.GetBytes($$"""{"email": "{{AuthClient.NewAddress()}}", "code": "{{random.Next(1_000_000):000000}}"}""");
                description = "well-formed verify";
                break;
            case 10:
                body = Encoding.UTF8.GetBytes($$"""{"email": "{{Escape(Pick(random))}}{{random.Next()}}@example.test", "password": "{{new string('p', random.Next(0, 8))}}"}""");
                description = "plausible but invalid";
                break;
            default:
                body = Encoding.UTF8.GetBytes("""{"email": 1e999, "password": -0, "code": 123456789012345678901234567890}""");
                description = "numbers out of range";
                break;
        }

        var headerAbuse = random.Next(8);
        return new FuzzCase(index, $"{method} {path} {description} headers#{headerAbuse}", method, path, body, contentType, headerAbuse, random.Next());
    }

    private static string Pick(Random random) => Hostile[random.Next(Hostile.Length)];

    private static string Escape(string value) => System.Text.Json.JsonEncodedText.Encode(value).ToString();

    private static string JsonValue(Random random) => random.Next(8) switch
    {
        0 => "null",
        1 => "true",
        2 => random.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        3 => "[\"a@example.com\"]",
        4 => "{\"$ne\": null}",
        5 => "1.5e308",
        6 => "\"\"",
        _ => "\"" + Escape(Pick(random)) + "\"",
    };

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private sealed record FuzzCase(int Index, string Description, HttpMethod Method, string Path, byte[] Body, string ContentType, int HeaderAbuse, int Salt)
    {
        /// <summary>The cases built to exceed Kestrel's header limits (16 KiB, 50 headers).</summary>
        public bool OversizedHeaders => HeaderAbuse is 2 or 3;

        public HttpRequestMessage Build()
        {
            var request = new HttpRequestMessage(Method, Path);
            if (Method != HttpMethod.Get && Method != HttpMethod.Head)
            {
                request.Content = new ByteArrayContent(Body);
                request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }

            // One connection per request: Kestrel closes a connection after a request it refuses at the parser (bad
            // headers), and a pooled connection could then carry the next case to a closing socket and lose it. So a
            // request without an answer is always that request's own doing.
            request.Headers.ConnectionClose = true;
            var random = new Random(Salt);
            switch (HeaderAbuse)
            {
                case 0:
                    request.Headers.TryAddWithoutValidation("X-Forwarded-For", "not-an-ip, 999.1.1.1, ::ffff:zz, " + new string('1', 500));
                    break;
                case 1:
                    request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + Convert.ToBase64String(RandomBytes(random, 300)));
                    break;
                case 2:
                    request.Headers.TryAddWithoutValidation("X-Padding", new string('x', random.Next(8_000, 40_000)));
                    break;
                case 3:
                    for (var i = 0; i < random.Next(40, 120); i++)
                    {
                        request.Headers.TryAddWithoutValidation($"X-H{i}", "v");
                    }

                    break;
                case 4:
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.");
                    break;
                case 5:
                    request.Headers.TryAddWithoutValidation("Accept", "application/xml;q=2, */*;q=-1, \u00ff");
                    request.Headers.TryAddWithoutValidation("Accept-Language", "xx-" + new string('Y', 300));
                    break;
                default:
                    break;
            }

            return request;
        }
    }

    public void Dispose() => _api.Dispose();
}
