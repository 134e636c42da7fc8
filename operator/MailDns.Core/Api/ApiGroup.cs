namespace MailDns.Core.Api;

public static class ApiGroup
{
    public const string Name = "maildns.io";
    public const string Version = "v1alpha1";
    public const string ApiVersion = Name + "/" + Version;
}
