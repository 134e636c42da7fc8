using MailDns.Operator.Cli;

return MaildnsCli.Run(args, new Console2(Console.Out, Console.Error, Console.In));
