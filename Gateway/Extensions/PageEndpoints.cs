namespace AudioStream.Gateway.Extensions;

/// <summary>The web pages are plain files in wwwroot; friendly paths map onto them.</summary>
internal static class PageEndpoints
{
    public static WebApplication MapPages(this WebApplication app)
    {
        app.UseStaticFiles();
        MapPage(app, "/", "index.html");
        MapPage(app, "/login", "login.html");
        MapPage(app, "/register", "register.html");
        MapPage(app, "/user/{username}", "user.html");
        return app;
    }

    private static void MapPage(WebApplication app, string path, string file) =>
        app.MapGet(path, (IWebHostEnvironment environment) =>
                Results.File(Path.Combine(environment.WebRootPath, file), "text/html; charset=utf-8"))
            .ExcludeFromDescription();
}
