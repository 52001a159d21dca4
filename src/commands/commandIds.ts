/** Every command id the extension contributes (package.json `contributes.commands`). */
export enum CommandId {
  OpenLogFiles = 'cloudtrailLens.openLogFiles',
  OpenLogFolder = 'cloudtrailLens.openLogFolder',
  OpenInLens = 'cloudtrailLens.openInLens',
  OpenSampleLogs = 'cloudtrailLens.openSampleLogs',
  Refresh = 'cloudtrailLens.refresh',
  SelectProfiles = 'cloudtrailLens.selectProfiles',
  AddRegion = 'cloudtrailLens.addRegion',
  RemoveRegion = 'cloudtrailLens.removeRegion',
  FilterEvents = 'cloudtrailLens.filterEvents',
  ClearFilter = 'cloudtrailLens.clearFilter',
  LoadMore = 'cloudtrailLens.loadMore',
  OpenRemoteEvent = 'cloudtrailLens.openRemoteEvent',
  WhoDidThis = 'cloudtrailLens.whoDidThis',
  FindByUser = 'cloudtrailLens.findByUser',
  SsoLogin = 'cloudtrailLens.ssoLogin',
}
