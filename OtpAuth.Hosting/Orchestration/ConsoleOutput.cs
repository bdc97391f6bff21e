namespace OtpAuth.Hosting.Orchestration;

/// <summary>The AppHost console: each resource's lines prefixed with its name in its own colour.</summary>
internal sealed class ConsoleOutput(bool enabled)
{
    private static readonly ConsoleColor[] Palette =
        [ConsoleColor.Cyan, ConsoleColor.Green, ConsoleColor.Magenta, ConsoleColor.Yellow, ConsoleColor.Blue, ConsoleColor.DarkCyan, ConsoleColor.DarkGreen, ConsoleColor.DarkMagenta];

    private readonly Lock _lock = new();
    private readonly Dictionary<string, ConsoleColor> _colors = [];
    private int _width = 8;

    public bool Enabled => enabled;

    public void Register(string name)
    {
        lock (_lock)
        {
            _colors.TryAdd(name, Palette[_colors.Count % Palette.Length]);
            _width = Math.Max(_width, name.Length);
        }
    }

    public void Line(string resource, string text)
    {
        if (!enabled)
        {
            return;
        }

        lock (_lock)
        {
            Console.ForegroundColor = _colors.GetValueOrDefault(resource, ConsoleColor.Gray);
            Console.Write(resource.PadRight(_width));
            Console.Write(" | ");
            Console.ResetColor();
            Console.WriteLine(text);
        }
    }

    /// <summary>A line from the AppHost itself (start-up, choices, failures).</summary>
    public void Host(string text, ConsoleColor color = ConsoleColor.White)
    {
        if (!enabled)
        {
            return;
        }

        lock (_lock)
        {
            Console.ForegroundColor = color;
            Console.WriteLine(text);
            Console.ResetColor();
        }
    }
}
