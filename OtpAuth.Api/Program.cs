using OtpAuth.Api.Auth;
using OtpAuth.Api.Infrastructure;
using OtpAuth.Api.Security;
using OtpAuth.Api.Tokens;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

// The client address first: rate limits and security logs read it (X-Forwarded-For only from trusted proxies).
app.UseForwardedHeaders();
app.UseHttpHardening();
app.UseExceptionHandler();
app.UseRequestTimeoutProblems();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();

app.MapDefaultEndpoints();
app.MapApiDocs();
app.MapAuthApi();
app.MapWellKnownApi();

app.Run();
