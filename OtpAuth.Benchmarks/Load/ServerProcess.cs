using System.Globalization;

namespace OtpAuth.Benchmarks.Load;

/// <summary>
/// The server process under load, read from /proc: its resident memory, and the CPU it has used (user + system), so a
/// workload can say what one unit of work cost the server itself, apart from the load driver and the databases.
/// </summary>
internal sealed class ServerProcess(int pid)
{
    private const double TicksPerSecond = 100; // USER_HZ, 100 on Linux

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

    public double CpuSeconds()
    {
        try
        {
            // Fields after the parenthesised command name: utime and stime are the 12th and 13th of them.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
