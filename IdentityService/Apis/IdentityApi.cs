using System.Security.Claims;
using AudioStream.IdentityService.Infrastructure;
using AudioStream.IdentityService.Model;
using AudioStream.ServiceDefaults;
using AudioStream.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using static AudioStream.ServiceDefaults.ProblemResults;

namespace AudioStream.IdentityService.Apis;

public static class IdentityApi
{
    public static RouteGroupBuilder MapIdentityApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/identity").WithTags("Identity");
        api.MapPost("/register", RegisterAsync).AllowAnonymous()
            .WithName("Register").WithSummary("Create an account and sign in");
        api.MapPost("/login", LoginAsync).AllowAnonymous()
            .WithName("Login").WithSummary("Sign in with username and password");
        api.MapPost("/logout", LogoutAsync).RequireAuthorization()
            .WithName("Logout").WithSummary("End this session on every service");
        api.MapGet("/me", GetMeAsync).RequireAuthorization()
            .WithName("Me").WithSummary("The signed-in user");
        return api;
    }

    public static async Task<Results<Created<UserResponse>, ValidationProblem, ProblemHttpResult>> RegisterAsync(
        RegisterRequest request, IdentityDbContext db, IPasswordHasher<User> hasher, HttpContext context)
    {
        var errors = AccountRules.Validate(request);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The account details are not valid.");
        }

        var normalized = AccountRules.Normalize(request.Username!);
        if (await db.Users.AnyAsync(u => u.NormalizedUserName == normalized))
        {
            return UserNameTaken();
        }

        var user = new User
        {
            UserName = request.Username!,
            NormalizedUserName = normalized,
            Email = request.Email!,
            PasswordHash = "",
        };
        user.PasswordHash = hasher.HashPassword(user, request.Password!);
        db.Users.Add(user);
        try
        {
            await db.SaveChangesAsync();
        }
        catch (DbUpdateException exception) when (exception.IsUniqueViolation())
        {
            // Two registrations raced for the same name; the unique index decided.
            return UserNameTaken();
        }

        await context.SignInAsync(user.Id, user.UserName);
        return TypedResults.Created("/api/identity/me", new UserResponse(user.Id, user.UserName));
    }

    public static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> LoginAsync(
        LoginRequest request, IdentityDbContext db, IPasswordHasher<User> hasher, LoginThrottle throttle, HttpContext context)
    {
        if (!AccountRules.IsValidUserName(request.Username) || string.IsNullOrEmpty(request.Password)
            || request.Password.Length > AccountRules.MaxPasswordLength)
        {
            return WrongCredentials();
        }

        var normalized = AccountRules.Normalize(request.Username!);
        if (await throttle.GetLockoutAsync(normalized) is { } lockout)
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(lockout.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Problem(StatusCodes.Status429TooManyRequests, "Too many failed sign-in attempts. Try again later.");
        }

        var user = await db.Users.SingleOrDefaultAsync(u => u.NormalizedUserName == normalized);
        // Hash even for an unknown name so the answer takes as long either way.
        var verdict = hasher.VerifyHashedPassword(user ?? PlaceholderUser, user?.PasswordHash ?? PlaceholderHash, request.Password);
        if (user is null || verdict == PasswordVerificationResult.Failed)
        {
            await throttle.RecordFailureAsync(normalized);
            return WrongCredentials();
        }

        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.PasswordHash = hasher.HashPassword(user, request.Password);
            await db.SaveChangesAsync();
        }
        await throttle.ResetAsync(normalized);
        await context.SignInAsync(user.Id, user.UserName);
        return TypedResults.Ok(new UserResponse(user.Id, user.UserName));
    }

    public static async Task<NoContent> LogoutAsync(ClaimsPrincipal user, HttpContext context)
    {
        await context.SignOutEverywhereAsync(user.GetCurrentUser());
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<MeResponse>, ProblemHttpResult>> GetMeAsync(IdentityDbContext db, HttpContext context)
    {
        var current = context.User.GetCurrentUser();
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == current.Id);
        return user is null
            ? Problem(StatusCodes.Status401Unauthorized, "This account no longer exists.")
            : TypedResults.Ok(new MeResponse(user.Id, user.UserName, user.Email, user.CreatedAt));
    }

    private static ProblemHttpResult UserNameTaken() =>
        Problem(StatusCodes.Status409Conflict, "That username is taken.");

    private static ProblemHttpResult WrongCredentials() =>
        Problem(StatusCodes.Status401Unauthorized, "Wrong username or password.");

    private static readonly User PlaceholderUser = new() { UserName = "-", NormalizedUserName = "-", Email = "-", PasswordHash = "" };
    private static readonly string PlaceholderHash = new PasswordHasher<User>().HashPassword(PlaceholderUser, Guid.NewGuid().ToString());
}
