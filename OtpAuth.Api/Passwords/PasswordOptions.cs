using System.ComponentModel.DataAnnotations;

namespace OtpAuth.Api.Passwords;

public sealed class PasswordOptions
{
    public const string SectionName = "Password";

    /// <summary>bcrypt cost: each step doubles the time. 12 costs about a quarter of a second on a server core.</summary>
    [Range(4, 31, ErrorMessage = "Password:BcryptWorkFactor must be between 4 and 31.")]
    public int BcryptWorkFactor { get; set; } = 12;
}
