import type { MenuItemConstructorOptions } from 'electron';

/**
 * The application menu. Electron's default menu has View → Reload on Ctrl+R / ⌘R / F5, which would
 * reload the page (dropping the open project's view) instead of letting the project screen read the
 * project again on those keys. So the menu is ours: the edit roles the clipboard shortcuts need, zoom,
 * full screen and the window roles, and no page reload.
 */
export function appMenuTemplate(platform: NodeJS.Platform): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  return [
    ...(mac ? [{ role: 'appMenu' as const }] : [{ label: 'File', submenu: [{ role: 'quit' as const }] }]),
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        { type: 'separator' },
        { role: 'toggleDevTools' },
      ],
    },
    { role: 'windowMenu' },
  ];
}

/** The permissions the renderer gets: writing to the clipboard (the Copy buttons), nothing else. */
export function permissionGranted(permission: string): boolean {
  return permission === 'clipboard-sanitized-write';
}
