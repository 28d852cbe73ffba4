/** A typed listener registry: `on`, `off`, `once`, and `emit` in registration order. */
export class Listeners<Events extends { [Name in keyof Events]: (...args: never[]) => void }> {
  // Null prototype: event names such as `__proto__` or `toString` are plain keys here.
  #byName: { [Name in keyof Events]?: Array<{ listener: Events[Name]; once: boolean }> } = Object.create(null);

  on<Name extends keyof Events>(name: Name, listener: Events[Name]): void {
    (this.#byName[name] ??= []).push({ listener, once: false });
  }

  once<Name extends keyof Events>(name: Name, listener: Events[Name]): void {
    (this.#byName[name] ??= []).push({ listener, once: true });
  }

  /** Removes one registration of `listener` (the most recent, if it was added twice). */
  off<Name extends keyof Events>(name: Name, listener: Events[Name]): void {
    const registrations = this.#byName[name];
    if (registrations === undefined) return;
    for (let i = registrations.length - 1; i >= 0; i--) {
      if (registrations[i]!.listener === listener) {
        registrations.splice(i, 1);
        return;
      }
    }
  }

  has(name: keyof Events): boolean {
    return (this.#byName[name]?.length ?? 0) > 0;
  }

  /** Calls every listener of `name`; a listener that throws stops the rest and rethrows. */
  emit<Name extends keyof Events>(name: Name, ...args: Parameters<Events[Name]>): void {
    const registrations = this.#byName[name];
    if (registrations === undefined || registrations.length === 0) return;
    // Copy first: a listener may add or remove listeners while we iterate.
    for (const registration of [...registrations]) {
      if (registration.once) this.off(name, registration.listener);
      (registration.listener as (...params: Parameters<Events[Name]>) => void).call(undefined, ...args);
    }
  }
}
