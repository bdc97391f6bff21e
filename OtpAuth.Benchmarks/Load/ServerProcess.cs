using System.Globalization;

namespace OtpAuth.Benchmarks.Load;

/// <summary>
/// The server process under load, read from /proc: its resident memory. Its CPU is <see cref="MachineCpu"/>'s server group.
/// </summary>
internal sealed class ServerProcess(int pid)
{
    public int Pid => pid;

    public double RssMb()
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
