using OtpAuth.Web;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApiProxy();
builder.AddClientConfig();

var app = builder.Build();

app.UseSecurityHeaders();
app.UseDefaultFiles();
app.UseStaticFiles();

app.MapDefaultEndpoints();
app.MapClientConfig();
app.MapApiProxy();

app.Run();
