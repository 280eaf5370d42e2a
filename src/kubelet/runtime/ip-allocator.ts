// Pod IPs from an IPv4 CIDR the way CNI host-local IPAM hands them out: the network address and the first
// address (the gateway, which is the node's address on the pod network) are kept back, addresses go out in
// order starting after the last one given, wrapping around, and a released address is reused only once the
// allocator comes round to it again.

export class IPAllocator {
  readonly cidr: string;
  /** The first usable address (the gateway), e.g. 10.88.0.1 for 10.88.0.0/16. */
  readonly gateway: string;
  #first: number;
  #last: number;
  #next: number;
  #used = new Set<number>();

  constructor(cidr: string) {
    const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
    const octets = match ? match.slice(1, 5).map(Number) : [];
    const prefix = match ? Number(match[5]) : -1;
    if (!match || octets.some((o) => o > 255) || prefix > 30) throw new Error(`invalid pod CIDR ${JSON.stringify(cidr)}: want an IPv4 CIDR with a prefix of at most /30`);
    const size = 2 ** (32 - prefix);
    const network = Math.floor((((octets[0] * 256 + octets[1]) * 256 + octets[2]) * 256 + octets[3]) / size) * size;
    this.cidr = `${format(network)}/${prefix}`;
    this.gateway = format(network + 1);
    this.#first = network + 2;
    this.#last = network + size - 2;
    this.#next = this.#first;
  }

  /** The next free address; throws when the range is exhausted. */
  allocate(): string {
    const count = this.#last - this.#first + 1;
    for (let i = 0; i < count; i++) {
      const candidate = this.#next;
      this.#next = candidate >= this.#last ? this.#first : candidate + 1;
      if (!this.#used.has(candidate)) {
        this.#used.add(candidate);
        return format(candidate);
      }
    }
    throw new Error(`failed to allocate an IP address: no IP addresses available in range set ${this.cidr}`);
  }

  release(ip: string): void {
    this.#used.delete(parse(ip));
  }

  get allocated(): number {
    return this.#used.size;
  }
}

function format(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function parse(ip: string): number {
  return ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}
