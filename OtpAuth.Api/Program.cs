using OtpAuth.Api.Auth;
using OtpAuth.Api.Infrastructure;
using OtpAuth.Api.Security;
using OtpAuth.Api.Tokens;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

// The client address first: rate limits and security logs read it (X-Forwarded-For only from the trusted proxy, the
// Web). The only pass of the forwarded-headers middleware: AddTrustedProxies keeps the framework from adding another.
app.UseTrustedProxies();
app.UseHttpHardening();
app.UseExceptionHandler();
app.UseRequestTimeoutProblems();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();

app.MapDefaultEndpoints();
// The interactive docs and the OpenAPI document describe every endpoint for whoever asks: for developers only.
if (app.Environment.IsDevelopment())
{
    app.MapApiDocs();
}

app.MapAuthApi();
app.MapWellKnownApi();

app.Run();
