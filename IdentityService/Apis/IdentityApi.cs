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
        RegisterRequest request, IdentityDbContext db, IPasswordHasher<User> hasher, PasswordHashingGate hashing, LoginThrottle throttle,
        HttpContext context)
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
        using (var slot = await hashing.EnterAsync(knownAddress: false, context.RequestAborted))
        {
            if (!slot.IsAcquired)
            {
                return HashingBusy(context, hashing);
            }
            user.PasswordHash = hasher.HashPassword(user, request.Password!);
        }
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

        // The address an account was made from is its owner's: it is never paced when others guess at the name.
        await throttle.SucceededAsync(normalized, ClientAddress.PartitionKey(context.Connection.RemoteIpAddress));
        await context.SignInAsync(user.Id, user.UserName);
        return TypedResults.Created("/api/identity/me", new UserResponse(user.Id, user.UserName));
    }

    public static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> LoginAsync(
        LoginRequest request, IdentityDbContext db, IPasswordHasher<User> hasher, LoginThrottle throttle, PasswordHashingGate hashing,
        HttpContext context)
    {
        if (!AccountRules.IsValidUserName(request.Username) || string.IsNullOrEmpty(request.Password)
            || request.Password.Length > AccountRules.MaxPasswordLength)
        {
            return WrongCredentials();
        }

        var normalized = AccountRules.Normalize(request.Username!);
        // The browser's address as the gateway saw it (X-Forwarded-For, believed from the gateway only).
        var address = ClientAddress.PartitionKey(context.Connection.RemoteIpAddress);
        var attempt = await throttle.CountAttemptAsync(normalized, address);
        if (attempt.Refusal is { } refusal)
        {
            SetRetryAfter(context, attempt.RetryAfter);
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: refusal == LoginRefusal.Paced
                ? "This account is getting many sign-in attempts, so sign-ins from new networks are slowed. Try again shortly."
                : "Too many failed sign-in attempts for this account from your network. Try again later.",
                extensions: new Dictionary<string, object?> { ["limit"] = refusal == LoginRefusal.Paced ? "login-pace" : "login-lockout" });
        }

        User? user;
        PasswordVerificationResult verdict;
        using (var slot = await hashing.EnterAsync(attempt.KnownAddress, context.RequestAborted))
        {
            if (!slot.IsAcquired)
            {
                await throttle.UncountAsync(normalized, address);
                return HashingBusy(context, hashing);
            }
            // Looked up only once admitted: a refused request costs no database query.
            user = await db.Users.SingleOrDefaultAsync(u => u.NormalizedUserName == normalized);
            // Hash even for an unknown name so the answer takes as long either way.
            verdict = hasher.VerifyHashedPassword(user ?? PlaceholderUser, user?.PasswordHash ?? PlaceholderHash, request.Password);
            if (user is not null && verdict == PasswordVerificationResult.SuccessRehashNeeded)
            {
                user.PasswordHash = hasher.HashPassword(user, request.Password);
            }
        }
        if (user is null || verdict == PasswordVerificationResult.Failed)
        {
            return WrongCredentials();
        }

        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            await db.SaveChangesAsync();
        }
        await throttle.SucceededAsync(normalized, address);
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

    /// <summary>Every hashing slot is taken and the queue is full: refuse now rather than answer after the client gave up.</summary>
    private static ProblemHttpResult HashingBusy(HttpContext context, PasswordHashingGate hashing)
    {
        SetRetryAfter(context, TimeSpan.FromSeconds(1));
        return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable,
            title: $"The server is checking too many passwords at once (at most {hashing.MaxConcurrent} at a time, with a short queue). Try again in a second.",
            extensions: new Dictionary<string, object?> { ["limit"] = "password-hashing" });
    }

    private static void SetRetryAfter(HttpContext context, TimeSpan wait) =>
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static ProblemHttpResult WrongCredentials() =>
        Problem(StatusCodes.Status401Unauthorized, "Wrong username or password.");

    private static readonly User PlaceholderUser = new() { UserName = "-", NormalizedUserName = "-", Email = "-", PasswordHash = "" };
    private static readonly string PlaceholderHash = new PasswordHasher<User>().HashPassword(PlaceholderUser, Guid.NewGuid().ToString());
}
