// The page of `smcheck serve`: posts the draft and photos to /check, then draws the
// answer as the HTML report does (words highlighted, faces boxed). DOM built with
// textContent only: a post's text is never parsed as HTML.
const COLOUR={critical:'#990000',violation:'#d62020',warning:'#e69500',info:'#1e9640'};
const VERDICT={block:'#d62020',review:'#e69500',ok:'#1e9640'};
const WORD={block:'Do not post yet',review:'Have a look first',ok:'Looks fine'};
const files=[];
const $=id=>document.getElementById(id);
// The service's per-launch token: it refuses a browser's check without it (another
// site's page cannot read it, nor send this header without asking first).
const TOKEN=document.querySelector('meta[name="smcheck-token"]').content;
function el(tag,attrs,...kids){const e=document.createElement(tag);
  for(const [k,v] of Object.entries(attrs||{})){if(k==='style')e.style.cssText=v;else if(k==='text')e.textContent=v;else e.setAttribute(k,v);}
  for(const k of kids)if(k!=null)e.append(k);return e;}
function pad(n){return String(n).padStart(2,'0');}
function localInput(d){return `${d.getFullYear()}-${pad(d.getMonth()+1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;}
function withOffset(value){ // the browser's zone, as the teacher means it
  const d=new Date(value);if(isNaN(d))return '';const m=-d.getTimezoneOffset();
  const s=m>=0?'+':'-';return `${value.length===16?value+':00':value}${s}${pad(Math.floor(Math.abs(m)/60))}:${pad(Math.abs(m)%60)}`;}
function showFiles(){const ul=$('chosen');ul.textContent='';
  files.forEach((f,i)=>{const b=el('button',{type:'button','aria-label':'remove '+f.name,text:'\u00d7'});
    b.onclick=()=>{files.splice(i,1);showFiles();};ul.append(el('li',{},f.name+' ',b));});}
function addFiles(list){for(const f of list)files.push(f);showFiles();}
$('files').addEventListener('change',e=>{addFiles(e.target.files);e.target.value='';check();});
const drop=$('drop');
['dragenter','dragover'].forEach(t=>drop.addEventListener(t,e=>{e.preventDefault();drop.classList.add('over');}));
['dragleave','drop'].forEach(t=>drop.addEventListener(t,e=>{e.preventDefault();drop.classList.remove('over');}));
drop.addEventListener('drop',e=>{addFiles(e.dataTransfer.files);check();});
$('when').value=localInput(new Date());
let seq=0,timer=null;
$('text').addEventListener('input',()=>{clearTimeout(timer);timer=setTimeout(check,500);});
$('when').addEventListener('change',check);
$('form').addEventListener('submit',e=>{e.preventDefault();check();});
async function check(){
  const text=$('text').value;
  if(!text.trim()&&!files.length){$('result').textContent='';$('status').textContent='';return;}
  const body=new FormData();body.append('text',text);
  const when=withOffset($('when').value);if(when)body.append('publish_at',when);
  files.forEach(f=>body.append('images',f,f.name));
  const mine=++seq;$('status').textContent='Checking\u2026';
  try{const r=await fetch('/check?previews=true',{method:'POST',body,headers:{'Authorization':'Bearer '+TOKEN}});
    const data=await r.json();if(mine!==seq)return;
    if(!r.ok){$('status').textContent='Could not check: '+(data.error||r.status);return;}
    $('status').textContent='';render(data);}
  catch(err){if(mine===seq)$('status').textContent='Could not reach smcheck: '+err;}}
function highlight(text,findings){ // spans count characters (code points), as Python does
  const cps=Array.from(text);const out=el('div',{class:'text'});let pos=0;
  const spans=findings.filter(f=>f.span&&f.source==='text').sort((a,b)=>a.span.start-b.span.start);
  for(const f of spans){if(f.span.start<pos)continue;
    out.append(cps.slice(pos,f.span.start).join(''));const c=COLOUR[f.severity];
    out.append(el('mark',{title:`${f.rule} ${f.name}`,'data-rule':f.rule,style:`background:${c}33;border-bottom:2px solid ${c}`,text:cps.slice(f.span.start,f.span.end).join('')}));
    pos=f.span.end;}
  out.append(cps.slice(pos).join(''));return out;}
function photo(label,info,findings){
  const fig=el('figure',{class:'photo'},el('img',{src:info.src,alt:label}));
  findings.filter(f=>f.file===label&&f.box).forEach((f,i)=>{const b=f.box,c=COLOUR[f.severity];
    fig.append(el('div',{class:'box','data-rule':f.rule,title:`${f.rule} ${f.name}`,
      style:`border-color:${c};left:${100*b.left/info.width}%;top:${100*b.top/info.height}%;width:${100*(b.right-b.left)/info.width}%;height:${100*(b.bottom-b.top)/info.height}%`},
      el('span',{style:`background:${c}`,text:`${f.rule} ${f.student_id||'unverified'}`})));});
  return fig;}
function finding(f){const c=COLOUR[f.severity];
  const where=f.span?` \u201c${f.span.text.split(/\s+/).join(' ')}\u201d`:(f.file&&f.source!=='text'?` ${f.file}`:'');
  const field=f.field?` in ${f.file} (${f.field})`:'';
  return el('div',{class:'finding','data-rule':f.rule,'data-sev':f.severity,style:`border-left-color:${c}`},
    el('span',{class:'code',text:f.rule}),' ',el('span',{class:'sev',style:`background:${c}`,text:f.severity}),
    ` ${f.name}${where}${field}${f.student_id?' \u00b7 student '+f.student_id:''}`,el('br'),'\u2192 '+f.message);}
function render(data){const out=$('result');out.textContent='';
  for(const n of data.notices||[])out.append(el('p',{class:'notice','data-notice':n.code,text:n.message}));
  data.posts.forEach((post,i)=>{const v=post.verdict;
    const sec=el('section',{class:'post',style:`border-left-color:${VERDICT[v]}`});
    const n=post.findings.length;
    sec.append(el('div',{class:'summary'},el('span',{class:'verdict big',id:'verdict','data-verdict':v,style:`background:${VERDICT[v]}`,text:v}),
      el('b',{text:WORD[v]}),` \u00b7 ${n} finding${n===1?'':'s'}`));
    const text=data.page?data.page.texts[i]:'';
    if(text)sec.append(highlight(text,post.findings));
    const photos=el('div',{class:'photos'});
    for(const label of post.images){const info=data.page&&data.page.photos[label];if(info)photos.append(photo(label,info,post.findings));}
    if(photos.childNodes.length)sec.append(photos);
    post.findings.forEach(f=>sec.append(finding(f)));
    if(!n)sec.append(el('p',{text:'No findings.'}));
    out.append(sec);});}
