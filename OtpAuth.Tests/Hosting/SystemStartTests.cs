using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Hosting;

/// <summary>The AppHost's system, as the shared test run starts it: every resource up, wired and reported.</summary>
public sealed class SystemStartTests(OtpAuthSystem system)
{
    [Fact]
    public async Task Every_resource_of_the_AppHost_is_running_and_healthy_in_the_resource_API()
    {
        using var dashboard = new HttpClient { BaseAddress = system.App.DashboardUrl };

        var resources = await dashboard.GetFromJsonAsync<JsonElement[]>("/api/resources", TestContext.Current.CancellationToken);

        Assert.NotNull(resources);
        var byName = resources.ToDictionary(r => r.GetProperty("name").GetString()!);
        foreach (var name in new[] { "postgres", "otpauth", "redis", "mail", "api", "web" })
        {
            Assert.True(byName.ContainsKey(name), $"the resource API lists {name}");
            Assert.Equal("running", byName[name].GetProperty("state").GetString());
            Assert.Equal("healthy", byName[name].GetProperty("health").GetString());
            Assert.Contains(byName[name].GetProperty("runtime").GetString(), new[] { "container", "process", "external" });
        }

        Assert.Equal("postgres", byName["postgres"].GetProperty("type").GetString());
        Assert.Equal("database", byName["otpauth"].GetProperty("type").GetString());
        Assert.Equal("mail", byName["mail"].GetProperty("type").GetString());
        Assert.Equal("project", byName["api"].GetProperty("type").GetString());
        var mailEndpoints = byName["mail"].GetProperty("endpoints").EnumerateArray().Select(e => e.GetProperty("name").GetString()).ToList();
        Assert.Equal(["smtp", "http"], mailEndpoints);
        Assert.True(byName["api"].GetProperty("pid").GetInt32() > 0);
    }

    [Fact]
    public async Task The_api_health_endpoint_checks_PostgreSQL_and_Redis_for_real()
    {
        using var api = system.CreateHttpClient("api");

        using var response = await api.GetAsync("/health", TestContext.Current.CancellationToken);
        var report = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var checks = report.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("postgres").GetString());
        Assert.Equal("Healthy", checks.GetProperty("redis").GetString());
    }

    [Fact]
    public async Task Projects_get_the_connection_strings_in_the_forms_the_design_gives()
    {
        var database = await system.GetConnectionStringAsync("otpauth", TestContext.Current.CancellationToken);

        Assert.Equal(database, system.GetEnvironmentValue("api", "ConnectionStrings__otpauth"));
        Assert.Contains("Database=otpauth", database, StringComparison.Ordinal);
        Assert.Contains("Password=", database, StringComparison.Ordinal); // password authentication, not trust
        Assert.Matches(@"^127\.0\.0\.1:\d+$", system.GetEnvironmentValue("api", "ConnectionStrings__redis"));
        Assert.Matches(@"^smtp://127\.0\.0\.1:\d+$", system.GetEnvironmentValue("api", "ConnectionStrings__mail"));
        Assert.Equal(system.GetEndpoint("api").ToString().TrimEnd('/'), system.GetEnvironmentValue("web", "services__api__http__0"));
    }

    [Fact]
    public async Task The_Web_draws_the_code_boxes_and_the_cooldown_from_the_values_the_Api_enforces()
    {
        using var web = system.CreateHttpClient("web");

        var config = await web.GetFromJsonAsync<JsonElement>("/config.json", TestContext.Current.CancellationToken);

        Assert.Equal(system.GetEnvironmentValue("api", "Otp__Length"), config.GetProperty("otp_length").GetInt32().ToString());
        Assert.Equal(system.GetEnvironmentValue("api", "Otp__ResendCooldownSeconds"), config.GetProperty("resend_cooldown_seconds").GetInt32().ToString());
    }

    [Fact]
    public async Task PostgreSQL_refuses_a_connection_without_the_generated_password()
    {
        var withPassword = new Npgsql.NpgsqlConnectionStringBuilder(await system.GetConnectionStringAsync("otpauth", TestContext.Current.CancellationToken))
        {
            Password = "wrong-password",
            Pooling = false,
        };

        await using var connection = new Npgsql.NpgsqlConnection(withPassword.ConnectionString);
        var error = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => connection.OpenAsync(TestContext.Current.CancellationToken));
        Assert.Equal("28P01", error.SqlState); // invalid_password
    }

    [Fact]
    public async Task Waiting_for_an_unknown_resource_fails_at_once_naming_the_known_ones()
    {
        var wait = system.App.WaitForResourceHealthyAsync("no-such-resource", TestContext.Current.CancellationToken);

        Assert.True(wait.IsFaulted, "the wait has failed before anything was awaited");
        var error = await Assert.ThrowsAsync<ArgumentException>(() => wait);
        Assert.Contains("api", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Secrets_in_the_environment_shown_by_the_resource_API_are_masked()
    {
        var api = system.App.Instances.Single(i => i.Name == "api");

        Assert.Equal("********", api.DisplayEnvironment["Jwt__SigningKey"]);
        Assert.Equal("********", api.DisplayEnvironment["Otp__HashKey"]);
        Assert.DoesNotContain(system.GetEnvironmentValue("api", "Jwt__SigningKey"), string.Join('\n', api.DisplayEnvironment.Values), StringComparison.Ordinal);
        Assert.Contains("Password=********", api.DisplayEnvironment["ConnectionStrings__otpauth"], StringComparison.Ordinal);
    }

    [Fact]
    public void Credentials_inside_a_URL_connection_string_are_masked_too()
    {
        var shown = OtpAuth.Hosting.Orchestration.Orchestrator.Mask(
            new Dictionary<string, string> { ["ConnectionStrings__mail"] = "smtps://apikey:s3cret-value@smtp.example.com:465" }, []);

        Assert.Equal("smtps://apikey:********@smtp.example.com:465", shown["ConnectionStrings__mail"]);
    }
}
