using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Hosting;

/// <summary>The AppHost's system as the shared test run starts it: every resource up, wired, and quiet about it.</summary>
public sealed class SystemStartTests(OtpAuthSystem system)
{
    private static readonly string[] AppHostResources = ["postgres", "otpauth", "redis", "mail", "api", "web"];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public void Every_resource_of_the_AppHost_is_running_and_healthy()
    {
        foreach (var name in AppHostResources)
        {
            Assert.True(system.App.ResourceNotifications.TryGetCurrentState(name, out var resource), $"{name} has a state");
            Assert.Equal(("Running", "Healthy"), (resource.Snapshot.State?.Text, resource.Snapshot.HealthStatus?.ToString()));
        }
    }

    [Fact]
    public async Task The_api_health_endpoint_checks_PostgreSQL_and_Redis_for_real()
    {
        using var api = system.CreateHttpClient("api");

        using var response = await api.GetAsync("/health", Token);
        var report = await response.Content.ReadFromJsonAsync<JsonElement>(Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var checks = report.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("OtpAuthDbContext").GetString());
        Assert.Equal("Healthy", checks.GetProperty("StackExchange.Redis").GetString());
    }

    [Fact]
    public async Task The_connection_strings_have_the_forms_the_design_gives()
    {
        var database = await system.GetConnectionStringAsync("otpauth", Token);
        var redis = await system.GetConnectionStringAsync("redis", Token);
        var mail = await system.GetConnectionStringAsync("mail", Token);

        Assert.Matches(@"^Host=localhost;Port=\d+;Username=postgres;Password=[^;]+;Database=otpauth$", database);
        Assert.Matches(@"^127\.0\.0\.1:\d+$", redis);
        Assert.Matches(@"^smtp://127\.0\.0\.1:\d+$", mail); // the address maildev binds, as for Redis
    }

    [Fact]
    public async Task The_page_reads_the_code_length_the_cooldown_and_the_ways_to_sign_in_from_the_Api_through_the_Web()
    {
        using var web = system.CreateHttpClient("web");

        using var response = await web.GetAsync("/auth/settings", Token);
        var settings = await response.Content.ReadFromJsonAsync<JsonElement>(Token);

        // The AppHost's parameters otp-length and otp-resend-cooldown-seconds, as the Api enforces them.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(
            (6, 60, true),
            (settings.GetProperty("otp_length").GetInt32(), settings.GetProperty("resend_cooldown_seconds").GetInt32(),
             settings.GetProperty("email_code_sign_in").GetBoolean()));
    }

    [Fact]
    public async Task PostgreSQL_refuses_a_connection_without_the_password()
    {
        var withWrongPassword = new Npgsql.NpgsqlConnectionStringBuilder(await system.GetConnectionStringAsync("otpauth", Token))
        {
            Password = "wrong-password",
            Pooling = false,
        };

        await using var connection = new Npgsql.NpgsqlConnection(withWrongPassword.ConnectionString);
        var error = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => connection.OpenAsync(Token));
        Assert.Equal("28P01", error.SqlState); // invalid_password
    }

    [Fact]
    public async Task A_first_start_on_an_empty_database_logs_no_error_in_any_api()
    {
        var apis = system.App.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<IResourceWithEndpoints>()
            .Where(resource => resource.Annotations.OfType<EndpointAnnotation>().Any()) // not Aspire's api-rebuilder
            .Select(p => p.Name).Where(name => name.StartsWith("api", StringComparison.Ordinal));

        foreach (var api in apis)
        {
            var lines = await AppStartup.LastLogLinesAsync(system.App, api, int.MaxValue);
            Assert.True(lines.Any(line => line.Contains("Now listening on", StringComparison.Ordinal)), $"{api}: no start in its log"); // the log was read
            var first = lines.ToList().FindIndex(line => line.Contains("fail:", StringComparison.Ordinal) || line.Contains("crit:", StringComparison.Ordinal));
            Assert.True(first < 0, $"{api} logged an error at start:\n{string.Join('\n', lines.Skip(first).Take(8))}"); // whole lines: which check, which exception
        }
    }
}
