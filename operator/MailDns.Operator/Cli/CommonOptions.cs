using System.CommandLine;
using System.Net;
using MailDns.Core.Names;

namespace MailDns.Operator.Cli;

public static class CommonOptions
{
    public static Option<string> Output()
    {
        var option = new Option<string>("--output", "-o") { Description = "text (default) or json.", DefaultValueFactory = _ => "text" };
        option.AcceptOnlyFromAmong("text", "json");
        return option;
    }

    /// <summary>
    /// --nameserver values as endpoints: an IP address with an optional :port (53 by default). On the first that is
    /// not, says why on stderr and returns null.
    /// </summary>
    public static List<IPEndPoint>? ParseNameservers(
        IEnumerable<string> texts,
        string command,
        Console2 console,
        string option = "--nameserver"
    )
    {
        var endpoints = new List<IPEndPoint>();
        foreach (var text in texts)
        {
            if (!HostPort.TryParse(text, 53, out var host, out var port) || !IPAddress.TryParse(host, out var address))
            {
                console.Error.WriteLine($"maildns {command}: {option} '{text}' must be an IP address with an optional :port");
                return null;
            }

            endpoints.Add(new IPEndPoint(address, port));
        }

        return endpoints;
    }
}
