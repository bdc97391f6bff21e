using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace OtpAuth.Api.Infrastructure;

/// <summary>The OpenAPI document at <c>/openapi/v1.json</c> and Scalar's interactive docs over it at <c>/docs</c>.</summary>
public static class OpenApiSetup
{
    public static IServiceCollection AddOpenApiDocument(this IServiceCollection services) =>
        services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "OtpAuth API";
            document.Info.Description = "Registration with an emailed one-time code, login with a bearer token. "
                + "Errors are RFC 9457 problem details.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["Bearer"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "The access_token from POST /auth/login.",
            };
            return Task.CompletedTask;
        }).AddOperationTransformer((operation, context, _) =>
        {
            if (context.Description.ActionDescriptor.EndpointMetadata.OfType<Microsoft.AspNetCore.Authorization.IAuthorizeData>().Any())
            {
                operation.Security ??= [];
                operation.Security.Add(new OpenApiSecurityRequirement
                {
                    [new OpenApiSecuritySchemeReference("Bearer", context.Document)] = [],
                });
            }

            return Task.CompletedTask;
        }));

    public static WebApplication MapApiDocs(this WebApplication app)
    {
        app.MapOpenApi();
        app.MapScalarApiReference("/docs", options =>
        {
            options.Title = "OtpAuth API";
            options.OpenApiRoutePattern = "/openapi/{documentName}.json";
        });
        return app;
    }

    /// <summary>Shows <paramref name="example"/> (serialized like real requests, in snake_case) as the request body example.</summary>
    public static RouteHandlerBuilder WithRequestExample<T>(this RouteHandlerBuilder builder, T example) =>
        builder.AddOpenApiOperationTransformer((operation, context, _) =>
        {
            var json = context.ApplicationServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
            if (operation.RequestBody?.Content?.TryGetValue("application/json", out var mediaType) == true)
            {
                mediaType.Example = JsonSerializer.SerializeToNode(example, json) ?? new JsonObject();
            }

            return Task.CompletedTask;
        });

    /// <summary>
    /// The answers any endpoint with a JSON body can give before its handler runs (an unreadable body's 400 shares the
    /// validation problem's shape, which the handler's <c>ValidationProblem</c> result already declares).
    /// </summary>
    public static RouteHandlerBuilder ProducesJsonBodyProblems(this RouteHandlerBuilder builder) => builder
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
}
