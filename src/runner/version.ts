import { readFileSync } from 'node:fs';
import path from 'node:path';
import { toolRoot } from './host.js';

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(toolRoot(), 'package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export const TOOL_VERSION = readVersion();
