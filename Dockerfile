# Multi-stage build of the maildns executable on a small non-root runtime image.
# This machine has no Docker engine, so the image is not built or tested here (see README).
# The operator issue adds the pinned Pulumi CLI and the `maildns operator` entrypoint.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish operator/MailDns.Operator -c Release -o /app --no-self-contained

FROM mcr.microsoft.com/dotnet/runtime:10.0 AS runtime
WORKDIR /app
COPY --from=build /app .
USER 65532:65532
ENTRYPOINT ["dotnet", "/app/maildns.dll"]
CMD ["--help"]
