function apply(){
  const sev=[...document.querySelectorAll('input[name=sev]:checked')].map(e=>e.value);
  const rule=document.getElementById('rule').value;
  document.querySelectorAll('[data-rule]').forEach(e=>{
    const ok=sev.includes(e.dataset.sev)&&(rule===''||e.dataset.rule===rule);
    e.classList.toggle('hidden',!ok);});
  document.querySelectorAll('.post').forEach(p=>{
    const any=p.querySelectorAll('.finding[data-rule]:not(.hidden)').length;
    const filtered=rule!==''||sev.length<4;
    p.classList.toggle('hidden',filtered&&!any);});
}
document.querySelectorAll('.filters input,.filters select').forEach(e=>e.addEventListener('change',apply));
