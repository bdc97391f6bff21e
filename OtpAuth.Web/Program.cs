using OtpAuth.Web;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
// The Web faces the ingress: it believes X-Forwarded-For only from ForwardedHeaders:KnownProxies / KnownNetworks (the
// ingress controller; loopback when unset), and its proxy hands the Api the client it determined.
builder.AddTrustedProxies();
builder.AddApiProxy();

var app = builder.Build();

app.UseTrustedProxies();
app.UseSecurityHeaders();
app.UseDefaultFiles();
app.UseStaticFiles();

app.MapDefaultEndpoints();
app.MapApiProxy();

app.Run();
