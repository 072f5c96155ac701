/**
 * A small app written the way Realm JS v12 apps are: only the default `Realm` import, with every
 * type spelled through the `Realm` namespace. The type-check compiles it (a type that no longer
 * resolves fails `npm run typecheck`); realmNamespace.test.ts runs it. `static override schema`
 * is only for this repository's `noImplicitOverride`.
 */
import Realm from "../index.js";

export class Manufacturer extends Realm.Object<Manufacturer, "name"> {
  name!: string;
  cars!: Realm.Types.LinkingObjects<Car, "manufacturer">;

  static override schema: Realm.ObjectSchema = {
    name: "Manufacturer",
    primaryKey: "name",
    properties: {
      name: "string",
      cars: { type: "linkingObjects", objectType: "Car", property: "manufacturer" },
    },
  };
}

export class Address extends Realm.Object<Address> {
  street!: Realm.Types.String;
  city!: Realm.Types.String;

  static override schema: Realm.ObjectSchema = {
    name: "Address",
    embedded: true,
    properties: { street: "string", city: "string" },
  };
}

export class Car extends Realm.Object<Car, "make" | "model"> {
  _id!: Realm.BSON.ObjectId;
  make!: Realm.Types.String;
  model!: string;
  miles?: Realm.Types.Int;
  electric!: Realm.Types.Bool;
  consumption?: Realm.Types.Float;
  price?: Realm.Types.Decimal128;
  rating?: Realm.Types.Double;
  vin?: Realm.Types.UUID;
  registeredAt?: Realm.Types.Date;
  photo?: Realm.Types.Data;
  manufacturer?: Manufacturer;
  garage?: Address;
  tags!: Realm.Types.List<string>;
  previousOwners!: Realm.List<string>;
  features!: Realm.Types.Set<string>;
  specs!: Realm.Types.Dictionary<number>;
  notes!: Realm.Dictionary<string>;
  extra?: Realm.Mixed;
  other?: Realm.Types.Mixed;
  trips!: Realm.Types.Counter;

  static override schema: Realm.ObjectSchema = {
    name: "Car",
    primaryKey: "_id",
    properties: {
      _id: { type: "objectId", default: () => new Realm.BSON.ObjectId() },
      make: { type: "string", indexed: true },
      model: "string",
      miles: "int?",
      electric: { type: "bool", default: false },
      consumption: "float?",
      price: "decimal128?",
      rating: "double?",
      vin: "uuid?",
      registeredAt: "date?",
      photo: "data?",
      manufacturer: "Manufacturer?",
      garage: "Address?",
      tags: "string[]",
      previousOwners: { type: "list", objectType: "string" },
      features: "string<>",
      specs: "int{}",
      notes: { type: "dictionary", objectType: "string" },
      extra: "mixed",
      other: "mixed",
      trips: { type: "int", presentation: "counter", default: 0 },
    },
  };
}

export const schema: Realm.ObjectSchema[] = [Car.schema, Manufacturer.schema, Address.schema];

export function openGarage(path: string): Realm {
  const config: Realm.Configuration = { path, schema: [Car, Manufacturer, Address] };
  return new Realm(config);
}

export function addCar(realm: Realm, make: string, model: string, miles?: number): Car {
  return realm.write(() => {
    const manufacturer = realm.create(Manufacturer, { name: make }, Realm.UpdateMode.Modified);
    return realm.create(Car, {
      make,
      model,
      miles,
      manufacturer,
      vin: new Realm.Types.UUID(),
      price: Realm.BSON.Decimal128.fromString("19999.99"),
      registeredAt: new Realm.Types.Date(0),
      tags: ["used"],
      specs: { doors: 4 },
      extra: "red",
    });
  });
}

/** Realm JS docs name a cars query's type `Realm.Results<Car>`. */
export function carsByMake(realm: Realm, make: string): Realm.Results<Car> {
  return realm.objects(Car).filtered("make == $0", make).sorted("miles");
}

export function carsOf(realm: Realm): Realm.Results<Car> {
  return realm.objects<Car>("Car");
}

/** A listener that keeps each change set it hears, as a UI list adapter would apply them. */
export function watchCars(
  cars: Realm.Results<Car>,
  heard: Realm.CollectionChangeSet[],
): () => void {
  const onChange = (_collection: Realm.Collection<Car>, changes: Realm.CollectionChangeSet) => {
    heard.push(changes);
  };
  cars.addListener(onChange);
  return () => cars.removeListener(onChange);
}

export function watchCar(car: Car, heard: Realm.ObjectChangeSet<Car>[]): void {
  car.addListener((_car: Car, changes: Realm.ObjectChangeSet<Car>) => heard.push(changes));
}

export function driveTrip(realm: Realm, car: Car): number {
  realm.write(() => car.trips.increment());
  return car.trips.value;
}

/** Dictionary entries read as properties. */
export function doorsOf(car: Car): number | undefined {
  return car.specs.doors;
}

/** The id of a car, as apps keep it in navigation state. */
export function carId(car: Car): string {
  const id: Realm.BSON.ObjectId = car._id;
  return id.toHexString();
}

export function findCar(realm: Realm, id: string): Car | null {
  return realm.objectForPrimaryKey(Car, new Realm.BSON.ObjectId(id));
}

/** The App Services side, typed as Realm JS apps type it. */
export function appFor(id: string, baseUrl: string): Realm.App {
  const config: Realm.AppConfiguration = { id, baseUrl };
  return new Realm.App(config);
}

export function anonymousCredentials(): Realm.Credentials {
  return Realm.Credentials.anonymous();
}

export async function logIn(app: Realm.App): Promise<Realm.User> {
  const user: Realm.User = await app.logIn(anonymousCredentials());
  return user;
}

export function syncedGarage(user: Realm.User, onError: Realm.ErrorCallback): Realm.Configuration {
  const sync: Realm.SyncConfiguration = {
    user,
    flexible: true,
    initialSubscriptions: {
      update: (subs: Realm.MutableSubscriptionSet, realm: Realm) => {
        subs.add(realm.objects(Car).filtered("miles < 1000"), { name: "low-mileage" });
      },
    },
    newRealmFileBehavior: {
      type: Realm.OpenRealmBehaviorType.DownloadBeforeOpen,
      timeOut: 10_000,
      timeOutBehavior: Realm.OpenRealmTimeOutBehavior.ThrowException,
    },
    clientReset: { mode: Realm.ClientResetMode.RecoverOrDiscardUnsyncedChanges },
    onError,
  };
  return { schema: [Car, Manufacturer, Address], sync };
}

/** How apps react to sync errors: by class and by the session's state. */
export function describeSyncError(session: Realm.SyncSession, error: Realm.SyncError): string {
  if (error instanceof Realm.CompensatingWriteError) {
    const writes: readonly Realm.CompensatingWriteInfo[] = error.writes;
    return `${writes.length} writes reverted`;
  }
  const state: Realm.SessionState = session.state;
  const connection: Realm.ConnectionState = session.connectionState;
  return `${error.code} ${state} ${connection}`;
}

export function watchUpload(session: Realm.SyncSession, heard: number[]): void {
  session.addProgressNotification(
    Realm.ProgressDirection.Upload,
    Realm.ProgressMode.ForCurrentlyOutstandingWork,
    (transferred: number) => heard.push(transferred),
  );
}

export function lowMileageCars(realm: Realm): Promise<Realm.Results<Car>> {
  return realm
    .objects(Car)
    .filtered("miles < 1000")
    .subscribe({ name: "low-mileage", behavior: Realm.WaitForSync.FirstTime, timeout: 10_000 });
}

export function forgetLowMileageCars(cars: Realm.Results<Car>): void {
  cars.unsubscribe();
}

/** An encrypted, compacted-on-open garage, opened with progress reports and a way to give up. */
export function openEncryptedGarage(
  path: string,
  key: ArrayBuffer,
  heard: number[],
): Realm.ProgressRealmPromise {
  const config: Realm.Configuration = {
    path,
    schema: [Car, Manufacturer, Address],
    encryptionKey: key,
    shouldCompact: (total: number, used: number) => used < total / 2,
    onFirstOpen: (realm: Realm) => void realm.create(Manufacturer, { name: "Unknown" }),
  };
  const opening: Realm.ProgressRealmPromise = Realm.open(config);
  return opening.progress((transferred: number, transferable: number) =>
    heard.push(transferred, transferable),
  );
}

export async function newestCarChange(user: Realm.User): Promise<string | undefined> {
  const cars = user.mongoClient("mongodb-atlas").db("cars-db").collection("Car");
  for await (const change of cars.watch({ filter: { operationType: "insert" } })) {
    return change.operationType;
  }
  return undefined;
}

export function subscriptionCount(realm: Realm): number {
  const subs: Realm.SubscriptionSet = realm.subscriptions;
  return subs.length;
}

// Wrong usages stay errors.
export function wrongUsages(realm: Realm, car: Car): void {
  // @ts-expect-error a Realm.Types.Int is a number
  const miles: Realm.Types.Int = "many";
  // @ts-expect-error a Results is not a List: it has no push
  const list: Realm.List<Car> = carsOf(realm);
  // @ts-expect-error there is no such update mode
  realm.create(Car, { make: "x", model: "y" }, Realm.UpdateMode.Sometimes);
  // @ts-expect-error an ObjectId is not a string
  const id: string = car._id;
  // @ts-expect-error the entries of a Dictionary<number> are numbers
  const doors: string | undefined = car.specs.doors;
  void [miles, list, id, doors];
}
