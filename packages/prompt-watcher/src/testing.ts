// Test helpers for code that watches files: real saves in the ways real editors make them.
export {
  backupRename,
  configMapSwap,
  createConfigMapFile,
  createSaveLedger,
  deleteThenRecreate,
  editorSaves,
  inPlace,
  tempThenRename,
  truncateFirst,
  twoChunks,
} from './testing/editor-saves.js';
export type { EditorSave, SaveLedger, SavePause } from './testing/editor-saves.js';
