import { PGlite } from '@electric-sql/pglite'
const db = new PGlite('/tmp/exp/data2')
await db.exec('create table if not exists w (id serial primary key, v text)')
if (process.argv[2] === 'write') {
  for (let i = 0; i < 50; i++) await db.query('insert into w (v) values ($1)', ['x' + i])
  console.log('ACK'); 
  setInterval(() => {}, 1000)
} else {
  console.log((await db.query('select count(*) from w')).rows)
}
