import { Command } from 'commander';
export function provisionCommands(): Command[] { return []; }
