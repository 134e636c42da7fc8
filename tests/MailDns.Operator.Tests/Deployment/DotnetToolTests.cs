using System.Xml.Linq;
using MailDns.Testing;

namespace MailDns.Operator.Tests.Deployment;

/// <summary>`maildns` as a .NET tool: the package the README's install line names installs and runs.</summary>
public class DotnetToolTests
{
    [Fact]
    public void The_packed_tool_installs_into_a_tool_path_and_prints_its_version()
    {
        using var dir = new TempDir();
        var project = Repo.PathOf("operator", "MailDns.Operator", "MailDns.Operator.csproj");
        var version = XDocument.Load(project).Descendants("Version").Single().Value;
        var packages = Path.Combine(dir.Path, "packages");
        var tools = Path.Combine(dir.Path, "tools");

        // --no-build: the Release build tests/run.sh made (and this test project references) is what is packed.
        var pack = Tool.Run("dotnet", "pack", project, "-c", "Release", "--no-build", "-o", packages, "-v", "quiet", "-nologo");
        Assert.True(pack.Exit == 0, pack.Output);
        var install = Tool.Run(
            "dotnet",
            "tool",
            "install",
            "maildns",
            "--tool-path",
            tools,
            "--add-source",
            packages,
            "--version",
            version
        );
        Assert.True(install.Exit == 0, install.Output);
        var run = Tool.Run(Path.Combine(tools, "maildns"), "--version");

        Assert.Equal(0, run.Exit);
        Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape(version)}(\\+[0-9a-f]+)?$", run.Output.Trim()); // and the commit
    }
}
