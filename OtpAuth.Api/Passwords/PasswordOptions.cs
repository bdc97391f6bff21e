using System.ComponentModel.DataAnnotations;

namespace OtpAuth.Api.Passwords;

public sealed class PasswordOptions
{
    public const string SectionName = "Password";

    /// <summary>bcrypt cost: each step doubles the time. 12 costs about a quarter of a second on a server core.</summary>
    [Range(4, 31, ErrorMessage = "Password:BcryptWorkFactor must be between 4 and 31.")]
    public int BcryptWorkFactor { get; set; } = 12;

    /// <summary>
    /// The shortest password a new account may choose, in Unicode code points. NIST SP 800-63B-4 asks for at least 15
    /// when the password is the only factor, and allows 8 otherwise.
    /// </summary>
    [Range(8, 64, ErrorMessage = "Password:MinLength must be between 8 and 64.")]
    public int MinLength { get; set; } = PasswordRules.MinLength;

    /// <summary>
    /// The least guessing work a new password must take, in bits of zxcvbn's estimate (16 ≈ 65,000 guesses): refuses the
    /// common passwords, keyboard walks, sequences and repeats of its frequency lists. 0 turns the check off.
    /// </summary>
    [Range(0, 64, ErrorMessage = "Password:MinGuessBits must be between 0 and 64.")]
    public int MinGuessBits { get; set; } = 16;

    /// <summary>Threads that compute bcrypt (default: one per processor core), each up to <see cref="InterleavedHashes"/> hashes at once.</summary>
    [Range(0, 1024, ErrorMessage = "Password:MaxConcurrentHashes must be between 0 (one per core) and 1024.")]
    public int MaxConcurrentHashes { get; set; }

    /// <summary>
    /// How many hashes one thread computes in step (1, 2 or 4; 3 run as 4). More hashes per second under load,
    /// each a little slower than alone (docs/benchmarks.md, "bcrypt").
    /// </summary>
    [Range(1, 4, ErrorMessage = "Password:InterleavedHashes must be between 1 and 4.")]
    public int InterleavedHashes { get; set; } = 4;

    /// <summary>Requests that may wait for a bcrypt slot (default: two per core); past these, 503 with Retry-After at once.</summary>
    [Range(-1, 100_000, ErrorMessage = "Password:HashQueueLimit must be between -1 (two per core) and 100000.")]
    public int HashQueueLimit { get; set; } = -1;
}
