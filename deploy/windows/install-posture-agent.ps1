<#
.SYNOPSIS
  Install the Posture agent as a Windows service, write its config, enroll it, start it.

.DESCRIPTION
  Node programs do not answer the Windows Service Control Manager themselves, so the agent runs
  under WinSW (Windows Service Wrapper, MIT licence, one .exe: https://github.com/winsw/winsw),
  which starts `posture-agent run`, restarts it on failure, stops it with Ctrl+C (the agent
  finishes the cycle in flight) and rotates its log. Give either a single executable built on
  Windows (`node agent/scripts/package.mjs sea` on a Windows x64 machine) or a node.exe (>= 20)
  plus the bundle posture-agent.cjs.

  Files: C:\Program Files\Posture\ (programs), C:\ProgramData\Posture\agent.yaml (config,
  agent.d\ drop-ins), C:\ProgramData\Posture\state\ (credential and spool; SYSTEM and
  Administrators only). Run from an elevated PowerShell 5.1 or 7.

.EXAMPLE
  .\install-posture-agent.ps1 -WinSW .\WinSW-x64.exe -AgentExe .\posture-agent.exe `
     -CollectorUrl https://posture.mt.gov.vn:8443 -CaFile .\collector-ca.pem -Unit CHHVN `
     -EnrollSecret (Read-Host -AsSecureString 'Enrollment secret')
#>
[CmdletBinding(DefaultParameterSetName = 'Exe')]
param(
  [Parameter(Mandatory)] [string] $WinSW,
  [Parameter(Mandatory, ParameterSetName = 'Exe')] [string] $AgentExe,
  [Parameter(Mandatory, ParameterSetName = 'Node')] [string] $NodeExe,
  [Parameter(Mandatory, ParameterSetName = 'Node')] [string] $Bundle,
  [Parameter(Mandatory)] [ValidatePattern('^https?://')] [string] $CollectorUrl,
  [string] $CaFile,
  [Parameter(Mandatory)] [ValidatePattern('^[A-Za-z0-9][A-Za-z0-9._-]*$')] [string] $Unit,
  [string[]] $Systems = @(),
  [ValidateSet('', 'server', 'workstation')] [string] $Role = '',
  [Parameter(Mandatory)] [SecureString] $EnrollSecret,
  [string] $InstallDir = "$env:ProgramFiles\Posture",
  [string] $DataDir = "$env:ProgramData\Posture",
  [string] $ServiceName = 'PostureAgent'
)
$ErrorActionPreference = 'Stop'

$principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())
if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
  throw 'Run this script from an elevated PowerShell (Run as administrator).'
}
foreach ($f in @($WinSW, $AgentExe, $NodeExe, $Bundle, $CaFile) | Where-Object { $_ }) {
  if (-not (Test-Path -LiteralPath $f -PathType Leaf)) { throw "File not found: $f" }
}

# Programs.
New-Item -ItemType Directory -Force -Path $InstallDir | Out-Null
$svcExe = Join-Path $InstallDir "$ServiceName.exe"
$existing = Get-Service -Name $ServiceName -ErrorAction SilentlyContinue
if ($existing -and $existing.Status -ne 'Stopped') { Stop-Service -Name $ServiceName -Force }
Copy-Item -Force $WinSW $svcExe
if ($PSCmdlet.ParameterSetName -eq 'Exe') {
  $agent = Join-Path $InstallDir 'posture-agent.exe'
  Copy-Item -Force $AgentExe $agent
  $exe = $agent; $prefixArgs = @()
} else {
  $node = Join-Path $InstallDir 'node.exe'
  $cjs = Join-Path $InstallDir 'posture-agent.cjs'
  Copy-Item -Force $NodeExe $node
  Copy-Item -Force $Bundle $cjs
  $exe = $node; $prefixArgs = @("`"$cjs`"")
}

# State dir: only SYSTEM and Administrators (the credential lives here).
$state = Join-Path $DataDir 'state'
New-Item -ItemType Directory -Force -Path $state, (Join-Path $DataDir 'agent.d'), (Join-Path $DataDir 'logs') | Out-Null
$acl = New-Object Security.AccessControl.DirectorySecurity
$acl.SetAccessRuleProtection($true, $false)
foreach ($who in @('NT AUTHORITY\SYSTEM', 'BUILTIN\Administrators')) {
  $acl.AddAccessRule((New-Object Security.AccessControl.FileSystemAccessRule($who, 'FullControl', 'ContainerInherit,ObjectInherit', 'None', 'Allow')))
}
Set-Acl -LiteralPath $state -AclObject $acl

# Config (YAML written by hand: no module needed). Quotes keep values literal.
$config = Join-Path $DataDir 'agent.yaml'
$lines = @('# Written by install-posture-agent.ps1', 'collector:', "  url: '$CollectorUrl'")
if ($CaFile) {
  $pinned = Join-Path $DataDir 'collector-ca.pem'
  Copy-Item -Force $CaFile $pinned
  $lines += "  caFile: '$pinned'"
}
$lines += "unit: '$Unit'"
$lines += 'systems: [' + (($Systems | ForEach-Object { "'$_'" }) -join ', ') + ']'
if ($Role) { $lines += "role: $Role" }
$lines += "stateDir: '$state'"
Set-Content -LiteralPath $config -Value $lines -Encoding UTF8

function Invoke-Agent([string[]] $AgentArgs) {
  $all = $prefixArgs + @('-c', "`"$config`"") + $AgentArgs
  $p = Start-Process -FilePath $exe -ArgumentList $all -NoNewWindow -Wait -PassThru
  return $p.ExitCode
}
if ((Invoke-Agent @('config', 'check', '--quiet')) -ne 0) { throw "The agent refused $config (see the message above)." }

# Enroll once; the secret goes through the environment, never the command line or a file.
if (-not (Test-Path (Join-Path $state 'credential.json'))) {
  $plain = [Runtime.InteropServices.Marshal]::PtrToStringBSTR([Runtime.InteropServices.Marshal]::SecureStringToBSTR($EnrollSecret))
  try {
    $env:POSTURE_ENROLL_SECRET = $plain
    if ((Invoke-Agent @('enroll')) -ne 0) { throw 'Enrollment failed (see the message above).' }
  } finally {
    Remove-Item Env:\POSTURE_ENROLL_SECRET -ErrorAction SilentlyContinue
  }
}

# The service: WinSW config beside the wrapper. NODE_OPTIONS is the systemd unit's
# (deploy/systemd/posture-agent.service says what each setting saves): V8's, so it holds on
# Windows too; the unit's glibc malloc settings do not apply to Windows' heap.
$argLine = (($prefixArgs + @('-c', "`"$config`"", 'run')) -join ' ')
$xml = @"
<service>
  <id>$ServiceName</id>
  <name>Posture agent</name>
  <description>Reports endpoint protection, IPv6 readiness and baseline facts to the Posture collector.</description>
  <executable>$exe</executable>
  <arguments>$([Security.SecurityElement]::Escape($argLine))</arguments>
  <startmode>Automatic</startmode>
  <delayedAutoStart>true</delayedAutoStart>
  <stoptimeout>30 sec</stoptimeout>
  <onfailure action="restart" delay="30 sec"/>
  <onfailure action="restart" delay="60 sec"/>
  <resetfailure>1 hour</resetfailure>
  <logpath>$DataDir\logs</logpath>
  <log mode="roll-by-size"><sizeThreshold>10240</sizeThreshold><keepFiles>5</keepFiles></log>
  <env name="POSTURE_AGENT_LOG_LEVEL" value="info"/>
  <env name="NODE_OPTIONS" value="--max-semi-space-size=1 --jitless --expose-gc"/>
</service>
"@
Set-Content -LiteralPath (Join-Path $InstallDir "$ServiceName.xml") -Value $xml -Encoding UTF8
if (-not $existing) { & $svcExe install | Write-Host; if ($LASTEXITCODE) { throw "WinSW install failed ($LASTEXITCODE)" } }
Start-Service -Name $ServiceName
Get-Service -Name $ServiceName | Format-Table -AutoSize Name, Status, StartType
Write-Host "Posture agent installed. Status: & '$exe' $($prefixArgs -join ' ') -c '$config' status"
