using System.CommandLine;

namespace MailDns.Operator.Cli;

public static class CommonOptions
{
    public static Option<string> Output()
    {
        var option = new Option<string>("--output", "-o") { Description = "text (default) or json.", DefaultValueFactory = _ => "text" };
        option.AcceptOnlyFromAmong("text", "json");
        return option;
    }
}
