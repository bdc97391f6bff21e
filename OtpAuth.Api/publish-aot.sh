#!/usr/bin/env bash
# Publishes the Api as a Native AOT executable: artifacts/api-aot/OtpAuth.Api, or the directory given as $1.
# Why, what it changes and what it costs: docs/native-aot.md. Run the system on it with
#   Api__Executable=artifacts/api-aot/OtpAuth.Api dotnet run --project OtpAuth.AppHost
set -euo pipefail
cd "$(dirname "$0")"
out=$(realpath -m "${1:-../artifacts/api-aot}")
generated=obj/NativeAot

# Native AOT links with clang; Debian names it clang-<version> unless the clang package is installed.
cc=$(command -v clang || ls /usr/bin/clang-[0-9]* 2>/dev/null | sort -V | tail -1 || true)
if [[ -z $cc ]]; then
  echo "Native AOT needs clang (apt-get install -y clang zlib1g-dev)." >&2
  exit 1
fi

dotnet tool restore >/dev/null
rm -rf "$generated"
mkdir -p "$generated"

# EF Core builds no model and compiles no query under Native AOT: both are generated here, from the code as it is.
dotnet ef dbcontext optimize --output-dir "$generated/CompiledModel" --namespace OtpAuth.Api.Users.CompiledModel \
  --precompile-queries --nativeaot
# EF Core 10.0.15's generator names a local after the entity's full name ("var otpAuth.Api.Users.UserPrimaryKeyProperties"),
# which does not compile; the same name with underscores does.
sed -i -E 's/\botpAuth\.Api\.([A-Za-z]+)\.([A-Za-z]+PrimaryKeyProperties)\b/otpAuth_Api_\1_\2/g' "$generated"/CompiledModel/*.cs

# Nor can it migrate: the migrations as one idempotent script, which DatabaseMigrator runs in their place.
dotnet ef migrations script --idempotent --output "$generated/schema.sql"

dotnet publish -c Release -r linux-x64 -p:PublishAot=true -p:CppCompilerAndLinker="$cc" -o "$out"
echo "Published: $out/OtpAuth.Api"
