/** Every command id the extension contributes (package.json `contributes.commands`). */
export enum CommandId {
  OpenLogFiles = 'cloudtrailLens.openLogFiles',
  OpenLogFolder = 'cloudtrailLens.openLogFolder',
  OpenInLens = 'cloudtrailLens.openInLens',
  OpenSampleLogs = 'cloudtrailLens.openSampleLogs',
}
