using System.Globalization;
using System.Runtime.InteropServices;
using MailDns.TestApiServer;

// dotnet run --project tests/TestApiServer -- --port N : serves until killed.
var port = 0;
for (var i = 0; i < args.Length - 1; i++)
{
    if (args[i] == "--port")
    {
        port = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
    }
}

await using var server = await ApiServerHost.StartAsync(port);
Console.WriteLine($"listening on {server.BaseAddress.ToString().TrimEnd('/')}");
var done = new TaskCompletionSource();
void Stop(PosixSignalContext context)
{
    context.Cancel = true; // shut down through DisposeAsync, which ends open watches first
    done.TrySetResult();
}

using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
await done.Task;
