using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OtpAuth.Api.Infrastructure;

namespace OtpAuth.Tests.Unit;

/// <summary>
/// A request the Api's own timeout cancels is an answer from us (503 problem details), not 499 "client closed request",
/// which tells a load balancer and the client the wrong party gave up. The Api's middleware order and error handlers on
/// a real Kestrel, with a timeout short enough to test and an endpoint that waits on its token as a hung statement does.
/// </summary>
public sealed class RequestTimeoutTests
{
    [Fact]
    public async Task A_request_cancelled_by_the_request_timeout_answers_503_problem_details()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddProblemDetailsEverywhere();
        builder.Services.AddRequestTimeouts(options => options.DefaultPolicy = new RequestTimeoutPolicy
        {
            Timeout = TimeSpan.FromMilliseconds(300),
            TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
        });
        await using var app = builder.Build();
        // As Program.cs orders them.
        app.UseRequestTimeouts();
        app.UseExceptionHandler();
        app.UseRequestTimeoutProblems();
        app.MapGet("/hangs", async (HttpContext context) =>
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
            return "never";
        });
        await app.StartAsync(cancellationToken);

        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromSeconds(10) };
        using var response = await client.GetAsync("/hangs", cancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        await app.StopAsync(cancellationToken);
    }
}
