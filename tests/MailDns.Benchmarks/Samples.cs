namespace MailDns.Benchmarks;

/// <summary>A figure that varies from run to run: the median of several runs, printed with its spread (min and max).</summary>
public sealed record Samples(double Median, double Min, double Max)
{
    public static Samples Of(int runs, Func<double> run)
    {
        return From(Enumerable.Range(0, runs).Select(_ => run()).ToList());
    }

    /// <summary>A figure and its floor measured in alternation (floor, figure, floor, figure, ...), each summarised.</summary>
    public static (Samples First, Samples Second) Paired(int runs, Func<double> first, Func<double> second)
    {
        var a = new List<double>();
        var b = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            a.Add(first());
            b.Add(second());
        }

        return (From(a), From(b));
    }

    /// <summary>The median (of an even count, the mean of the middle two), the least and the greatest.</summary>
    public static Samples From(IEnumerable<double> measured)
    {
        var values = measured.Order().ToList();
        var middle = values.Count / 2;
        var median = values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
        return new Samples(median, values[0], values[^1]);
    }

    /// <summary>The three figures under one name: NAME, NAME_min, NAME_max.</summary>
    public void AddTo(Dictionary<string, double> figures, string name, int digits = 3)
    {
        figures[name] = Math.Round(Median, digits);
        figures[name + "_min"] = Math.Round(Min, digits);
        figures[name + "_max"] = Math.Round(Max, digits);
    }
}
