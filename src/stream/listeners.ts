/**
 * A typed listener registry: `on`, `off`, `once`, and `emit` in registration order. Lists are
 * copied when changed, never when emitted: `emit` runs once per callback of every event.
 */
export class Listeners<Events extends { [Name in keyof Events]: (...args: never[]) => void }> {
  // Null prototype: event names such as `__proto__` or `toString` are plain keys here.
  #byName: { [Name in keyof Events]?: Array<{ listener: Events[Name]; once: boolean }> } = Object.create(null);

  on<Name extends keyof Events>(name: Name, listener: Events[Name]): void {
    this.#byName[name] = [...(this.#byName[name] ?? []), { listener, once: false }];
  }

  once<Name extends keyof Events>(name: Name, listener: Events[Name]): void {
    this.#byName[name] = [...(this.#byName[name] ?? []), { listener, once: true }];
  }

  /** Removes one registration of `listener` (the most recent, if it was added twice). */
  off<Name extends keyof Events>(name: Name, listener: Events[Name]): void {
    const registrations = this.#byName[name];
    if (registrations === undefined) return;
    for (let i = registrations.length - 1; i >= 0; i--) {
      if (registrations[i]!.listener === listener) {
        this.#byName[name] = [...registrations.slice(0, i), ...registrations.slice(i + 1)];
        return;
      }
    }
  }

  /** Whether `name` has a listener: lets a caller skip building arguments nobody receives. */
  has(name: keyof Events): boolean {
    return (this.#byName[name]?.length ?? 0) > 0;
  }

  /** Calls every listener of `name`; a listener that throws stops the rest and rethrows. */
  emit<Name extends keyof Events>(name: Name, ...args: Parameters<Events[Name]>): void {
    const registrations = this.#byName[name];
    if (registrations === undefined || registrations.length === 0) return;
    // A listener may add or remove listeners while we iterate: that replaces the list, and
    // this loop goes on over the one it started with.
    for (let i = 0; i < registrations.length; i++) {
      const registration = registrations[i]!;
      if (registration.once) this.off(name, registration.listener);
      (registration.listener as (...params: Parameters<Events[Name]>) => void).call(undefined, ...args);
    }
  }
}
