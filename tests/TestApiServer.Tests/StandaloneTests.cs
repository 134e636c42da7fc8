using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace MailDns.TestApiServer.Tests;

public class StandaloneTests
{
    [Fact]
    public async Task The_server_runs_on_its_own_announces_its_address_and_stops_on_sigterm()
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "TestApiServer.dll"));
        info.ArgumentList.Add("--port");
        info.ArgumentList.Add("0");
        using var process = Process.Start(info)!;
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            var line = await process.StandardOutput.ReadLineAsync(bound.Token);
            Assert.Matches(@"^listening on http://127\.0\.0\.1:\d+$", line);
            using var http = new HttpClient { BaseAddress = new Uri(line!["listening on ".Length..]) };
            var version = await http.GetFromJsonAsync<JsonObject>("/version", bound.Token);
            Assert.Equal("1", (string?)version!["major"]);

            Assert.Equal(0, Kill(process.Id, 15));
            await process.WaitForExitAsync(bound.Token);
            Assert.True(process.HasExited);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
